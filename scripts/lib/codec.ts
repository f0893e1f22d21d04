/** Envelope and payload encoding, mirroring contracts/libraries/EnvelopeLib.sol and MessageCodec.sol (packed). */
import { dataSlice, getAddress, keccak256, solidityPacked, toBigInt } from "ethers";

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

export interface AppMessage {
  kind: number;
  /** Account (DEPOSIT) or recipient (RELEASE). */
  who: string;
  asset: string;
  amount: bigint;
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

export function encodeMessage(m: AppMessage): string {
  return solidityPacked(["uint8", "address", "address", "uint256"], [m.kind, m.who, m.asset, m.amount]);
}

export function decodeMessage(payload: string): AppMessage {
  return {
    kind: Number(toBigInt(dataSlice(payload, 0, 1))),
    who: getAddress(dataSlice(payload, 1, 21)),
    asset: getAddress(dataSlice(payload, 21, 41)),
    amount: toBigInt(dataSlice(payload, 41, 73)),
  };
}
