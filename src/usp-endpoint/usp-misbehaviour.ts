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
  /** A notification that asks for its NotifyResp is sent once all the same: not waited for, not sent again. */
  noNotifyRetry?: boolean;
}

/**
 * Asked for each request a Controller sends (its Msg type, e.g. GET), and with NOTIFY for each
 * notification the agent sends (a Controller never sends one); undefined: behave.
 */
export type UspMisbehaviour = (msgType: string) => UspAnswerMisbehaviour | undefined;
