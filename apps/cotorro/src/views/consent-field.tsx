/** The consent checkbox (`acepto`) of the booking form and of a lead's checkout, with its error. */
import { invalidProps } from "@cotorro/web/layout";
import { texts } from "../texts.ts";

export function ConsentField(props: { checked: boolean; error?: string | undefined }) {
  return (
    <div class="field">
      <label class="check" for="acepto">
        <input
          type="checkbox"
          id="acepto"
          name="acepto"
          value="on"
          checked={props.checked}
          required
          {...invalidProps("acepto", props.error)}
        />
        <span>{texts.booking.labels.acepto}</span>
      </label>
      {props.error ? (
        <span class="error" id="acepto-error" role="alert">
          {props.error}
        </span>
      ) : null}
    </div>
  );
}
