// The parts of the `stun` package (2.x) this project uses; it ships no type declarations.
declare module 'stun' {
  interface StunAttribute {
    readonly type: number;
    readonly value: unknown;
  }
  interface StunMessage {
    readonly type: number;
    readonly transactionId: Buffer;
    getAttribute(type: number): StunAttribute | undefined;
    addAttribute(type: number, ...values: unknown[]): StunAttribute | undefined;
    toBuffer(): Buffer;
  }
  const stun: {
    createMessage(type: number, transactionId?: Buffer): StunMessage;
    decode(bytes: Buffer): StunMessage;
    constants: Record<string, number>;
  };
  export default stun;
}
