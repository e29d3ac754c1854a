/**
 * Graph API error bodies as Meta writes them (platform.md §2.8):
 * `{ error: { message, type, code, error_subcode?, error_data?, fbtrace_id } }`, with the HTTP
 * status each one comes with. One catalogue, so every route answers the same way.
 */
import { newFbtraceId } from "../ids.ts";

export interface GraphError {
  status: number;
  code: number;
  message: string;
  type: string;
  subcode?: number;
  /** WhatsApp errors carry `error_data.details` with the specific reason. */
  details?: string;
  transient?: boolean;
}

export function graphErrorBody(e: GraphError): { error: Record<string, unknown> } {
  return {
    error: {
      message: e.message,
      type: e.type,
      code: e.code,
      ...(e.subcode !== undefined ? { error_subcode: e.subcode } : {}),
      ...(e.details !== undefined ? { error_data: { messaging_product: "whatsapp", details: e.details } } : {}),
      ...(e.transient ? { is_transient: true } : {}),
      fbtrace_id: newFbtraceId(),
    },
  };
}

const OAUTH = "OAuthException";

export const graphErrors = {
  missingToken: (): GraphError => ({
    status: 401,
    code: 2500,
    type: OAUTH,
    message: "An active access token must be used to query information about the current user.",
  }),
  invalidToken: (): GraphError => ({
    status: 401,
    code: 190,
    type: OAUTH,
    message: "Invalid OAuth access token - Cannot parse access token",
  }),
  expiredToken: (expiredAt: number, now: number): GraphError => ({
    status: 401,
    code: 190,
    subcode: 463,
    type: OAUTH,
    message: `Error validating access token: Session has expired on ${new Date(expiredAt * 1000).toUTCString()}. The current time is ${new Date(now).toUTCString()}.`,
  }),
  noSuchObject: (id: string, method: "get" | "post"): GraphError => ({
    status: 400,
    code: 100,
    subcode: 33,
    type: "GraphMethodException",
    message: `Unsupported ${method} request. Object with ID '${id}' does not exist, cannot be loaded due to missing permissions, or does not support this operation. Please read the Graph API documentation at https://developers.facebook.com/docs/graph-api`,
  }),
  invalidParameter: (details: string): GraphError => ({
    status: 400,
    code: 100,
    type: OAUTH,
    message: "(#100) Invalid parameter",
    details,
  }),
  requiredParameter: (name: string): GraphError => ({
    status: 400,
    code: 100,
    type: OAUTH,
    message: `(#100) The parameter ${name} is required.`,
  }),
  reEngagement: (): GraphError => ({
    status: 400,
    code: 131047,
    type: OAUTH,
    message: "(#131047) Re-engagement message",
    details:
      "Message failed to send because more than 24 hours have passed since the customer last replied to this number.",
  }),
  throughput: (): GraphError => ({
    status: 429,
    code: 130429,
    type: OAUTH,
    message: "(#130429) Rate limit hit",
    details: "Cloud API message throughput has been reached.",
    transient: true,
  }),
  templateMissing: (name: string, language: string): GraphError => ({
    status: 404,
    code: 132001,
    type: OAUTH,
    message: "(#132001) Template name does not exist in the translation",
    details: `template name (${name}) does not exist in ${language}`,
  }),
  paramCount: (details: string): GraphError => ({
    status: 400,
    code: 132000,
    type: OAUTH,
    message: "(#132000) Number of parameters does not match the expected number of params",
    details,
  }),
  paramFormat: (details: string): GraphError => ({
    status: 400,
    code: 132018,
    type: OAUTH,
    message: "(#132018) There was an issue with the parameters in your template.",
    details,
  }),
  server: (status: number): GraphError =>
    status === 503
      ? { status, code: 2, type: OAUTH, message: "Service temporarily unavailable", transient: true }
      : { status, code: 1, type: OAUTH, message: "An unknown error occurred", transient: true },
  badClientId: (): GraphError => ({
    status: 400,
    code: 101,
    type: OAUTH,
    message: "Error validating application. Invalid application ID.",
  }),
  badClientSecret: (): GraphError => ({
    status: 400,
    code: 1,
    type: OAUTH,
    message: "Error validating client secret.",
  }),
  templateExists: (name: string, language: string): GraphError => ({
    status: 400,
    code: 100,
    subcode: 2388024,
    type: OAUTH,
    message: "Invalid parameter",
    details: `Content in this language already exists: ${name} (${language})`,
  }),
};
