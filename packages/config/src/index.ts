export * from "./settings.ts";
export * from "./templates.ts";
export * from "./local.ts";
