/** "Redirigiendo a Webpay…" for a visit payment: the shared redirect page with this site's texts. */
import { formatClp } from "@cotorro/core/money";
import { WebpayRedirectPage as SharedRedirectPage } from "@cotorro/web/webpay";
import { texts } from "../texts.ts";

export interface WebpayRedirectPageProps {
  url: string;
  token: string;
  amount: number;
  nonce: string;
  tagline: string;
}

const t = texts.payment;

export function WebpayRedirectPage({ amount, ...props }: WebpayRedirectPageProps) {
  return (
    <SharedRedirectPage
      {...props}
      texts={{ title: t.redirectTitle, body: t.redirectBody(formatClp(amount)), goPay: t.goPay, noJs: t.redirectNoJs }}
    />
  );
}
