/** This app's form validation: the shared `validate` of @cotorro/web bound to the app's context. */
import { type Issues, validate as sharedValidate } from "@cotorro/web/validate";
import type * as z from "zod/mini";
import type { AppEnv } from "../app-env.ts";

export type { Issues };

export const validate = <Target extends "form" | "json" | "query", S extends z.ZodMiniType>(
  ...args: Parameters<typeof sharedValidate<AppEnv, Target, S>>
) => sharedValidate<AppEnv, Target, S>(...args);
