/** Baseline for `pnpm bench`: the cheapest possible Hono worker. */
import { Hono } from "hono";

const app = new Hono();
app.get("/", (c) => c.text("ok"));
app.post("/", (c) => c.text("ok"));

export default app;
