export * from "./local.ts";
export * from "./settings.ts";
export * from "./templates.ts";
