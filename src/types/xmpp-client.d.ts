// The parts of @xmpp/client 0.14 this project uses; the package ships no type declarations.
declare module '@xmpp/client' {
  import type { EventEmitter } from 'node:events';
  export interface Element {
    name: string;
    attrs: Record<string, string | undefined>;
    children: (Element | string)[];
    getChild(name: string, xmlns?: string): Element | undefined;
    getChildText(name: string, xmlns?: string): string | null;
    getChildElements(): Element[];
    is(name: string, xmlns?: string): boolean;
    toString(): string;
  }
  export interface Jid {
    toString(): string;
    bare(): Jid;
    local: string;
    domain: string;
    resource: string;
  }
  export interface IqContext {
    stanza: Element;
    element: Element;
    from: Jid;
  }
  export interface Client extends EventEmitter {
    status: string;
    jid: Jid | null;
    start(): Promise<Jid>;
    stop(): Promise<void>;
    send(element: Element): Promise<void>;
    iqCallee: { set(ns: string, name: string, handler: (ctx: IqContext) => unknown): void; get(ns: string, name: string, handler: (ctx: IqContext) => unknown): void };
    iqCaller: { request(element: Element, timeout?: number): Promise<Element> };
    reconnect: { stop(): void; start(): void; delay: number };
  }
  export interface ClientOptions {
    service: string;
    domain?: string;
    resource?: string;
    username?: string;
    password?: string;
    timeout?: number;
  }
  export function client(options: ClientOptions): Client;
  export function xml(name: string, attrs?: Record<string, string | undefined> | null, ...children: (Element | string)[]): Element;
  export function jid(s: string): Jid;
}
