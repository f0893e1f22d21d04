/** The envelope and payload codec lives in the SDK (sdk/codec.ts): one codec for the SDK, keepers, harness and tests. */
export * from "../../sdk/codec";
export type { RawAppMessage as AppMessage } from "../../sdk/codec";
