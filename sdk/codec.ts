/**
 * Envelope and payload encoding, mirroring contracts/libraries/EnvelopeLib.sol and MessageCodec.sol (packed). The one
 * TypeScript codec: the SDK exports it, and the keepers, the harness and the tests import it (scripts/lib/codec.ts).
 */
import { dataLength, dataSlice, getAddress, keccak256, solidityPacked, toBigInt } from "ethers";

export const DEPOSIT = 1;
export const RELEASE = 2;

export interface Envelope {
  nonce: bigint;
  srcChainId: bigint;
  dstChainId: bigint;
  /** The messenger that sent it (part of the id). */
  srcMessenger: string;
  sender: string;
  receiver: string;
  payload: string;
}

/** A payload as the contracts encode it: `kind` is {@link DEPOSIT} or {@link RELEASE}. */
export interface RawAppMessage {
  kind: number;
  /** Account (DEPOSIT) or recipient (RELEASE). */
  who: string;
  asset: string;
  amount: bigint;
}

/** An app message: DEPOSIT{account, asset, amount} or RELEASE{recipient, asset, amount}. */
export interface AppMessage extends Omit<RawAppMessage, "kind"> {
  kind: "DEPOSIT" | "RELEASE";
}

export function encodeEnvelope(e: Envelope): string {
  return solidityPacked(
    ["uint64", "uint64", "uint64", "address", "address", "address", "bytes"],
    [e.nonce, e.srcChainId, e.dstChainId, e.srcMessenger, e.sender, e.receiver, e.payload],
  );
}

export function decodeEnvelope(data: string): Envelope {
  return {
    nonce: toBigInt(dataSlice(data, 0, 8)),
    srcChainId: toBigInt(dataSlice(data, 8, 16)),
    dstChainId: toBigInt(dataSlice(data, 16, 24)),
    srcMessenger: getAddress(dataSlice(data, 24, 44)),
    sender: getAddress(dataSlice(data, 44, 64)),
    receiver: getAddress(dataSlice(data, 64, 84)),
    payload: dataSlice(data, 84),
  };
}

/** The envelope id: keccak256 of the packed envelope, which names its source messenger. */
export function envelopeId(encoded: string): string {
  return keccak256(encoded);
}

export function encodeMessage(m: RawAppMessage): string {
  return solidityPacked(["uint8", "address", "address", "uint256"], [m.kind, m.who, m.asset, m.amount]);
}

export function decodeMessage(payload: string): RawAppMessage {
  return {
    kind: Number(toBigInt(dataSlice(payload, 0, 1))),
    who: getAddress(dataSlice(payload, 1, 21)),
    asset: getAddress(dataSlice(payload, 21, 41)),
    amount: toBigInt(dataSlice(payload, 41, 73)),
  };
}

/** Decodes an xmargin payload with its kind named; undefined for anything else. */
export function decodeAppMessage(payload: string): AppMessage | undefined {
  if (dataLength(payload) !== 73) return undefined;
  const m = decodeMessage(payload);
  if (m.kind !== DEPOSIT && m.kind !== RELEASE) return undefined;
  return { ...m, kind: m.kind === DEPOSIT ? "DEPOSIT" : "RELEASE" };
}
