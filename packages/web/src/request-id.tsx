/** Gives every request an id (echoed as `X-Request-Id`, shown on error pages, present in every log line). */
import { newRequestId } from "@cotorro/core/ids";
import { createMiddleware } from "hono/factory";

export const requestId = createMiddleware<{ Variables: { requestId: string } }>(async (c, next) => {
  const incoming = c.req.header("cf-ray") ?? c.req.header("x-request-id");
  const id = incoming && /^[\w-]{4,64}$/.test(incoming) ? incoming : newRequestId();
  c.set("requestId", id);
  await next();
  // Onto the answer as it is: Hono's `c.header` would first copy a finished response whole.
  c.res.headers.set("X-Request-Id", id);
});
