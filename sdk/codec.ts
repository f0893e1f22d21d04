/** Envelope and payload decoding, mirroring contracts/libraries/EnvelopeLib.sol and MessageCodec.sol (packed). */
import { dataLength, dataSlice, getAddress, keccak256, toBigInt } from "ethers";

export const DEPOSIT = 1;
export const RELEASE = 2;

export interface Envelope {
  nonce: bigint;
  srcChainId: bigint;
  dstChainId: bigint;
  sender: string;
  receiver: string;
  payload: string;
}

/** An app message: DEPOSIT{account, asset, amount} or RELEASE{recipient, asset, amount}. */
export interface AppMessage {
  kind: "DEPOSIT" | "RELEASE";
  /** Account (DEPOSIT) or recipient (RELEASE). */
  who: string;
  asset: string;
  amount: bigint;
}

export function decodeEnvelope(data: string): Envelope {
  return {
    nonce: toBigInt(dataSlice(data, 0, 8)),
    srcChainId: toBigInt(dataSlice(data, 8, 16)),
    dstChainId: toBigInt(dataSlice(data, 16, 24)),
    sender: getAddress(dataSlice(data, 24, 44)),
    receiver: getAddress(dataSlice(data, 44, 64)),
    payload: dataSlice(data, 64),
  };
}

export function envelopeId(encoded: string): string {
  return keccak256(encoded);
}

/** Decodes an xmargin payload; undefined for anything else. */
export function decodeAppMessage(payload: string): AppMessage | undefined {
  if (dataLength(payload) !== 73) return undefined;
  const kind = Number(toBigInt(dataSlice(payload, 0, 1)));
  if (kind !== DEPOSIT && kind !== RELEASE) return undefined;
  return {
    kind: kind === DEPOSIT ? "DEPOSIT" : "RELEASE",
    who: getAddress(dataSlice(payload, 1, 21)),
    asset: getAddress(dataSlice(payload, 21, 41)),
    amount: toBigInt(dataSlice(payload, 41, 73)),
  };
}
