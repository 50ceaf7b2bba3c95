/**
 * How a USP agent misbehaves on purpose when answering its Controller (for testing a Controller;
 * the rules are harness/misbehaviour.ts's): answer late or never, with an Error, under a wrong
 * msg_id, in a Record for another endpoint, as bytes that are no Record, or drop the MTP
 * connection instead of answering.
 */
export interface UspAnswerMisbehaviour {
  delayMs?: number;
  never?: boolean;
  error?: { code: number; message: string };
  wrongMsgId?: boolean;
  wrongToId?: boolean;
  malformed?: boolean;
  dropConnection?: boolean;
}

/** Asked for each request a Controller sends (its Msg type, e.g. GET); undefined: behave. */
export type UspMisbehaviour = (msgType: string) => UspAnswerMisbehaviour | undefined;
