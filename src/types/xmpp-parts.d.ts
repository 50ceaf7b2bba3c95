// The parts of xmpp.js 0.14 that openXmppStream assembles; the packages ship no type declarations.
declare module '@xmpp/client-core' {
  import type { EventEmitter } from 'node:events';
  import type { Socket } from 'node:net';
  export interface XmppElement {
    name: string;
    attrs: Record<string, string | undefined>;
    getChild(name: string, xmlns?: string): XmppElement | undefined;
    getChildText(name: string, xmlns?: string): string | null;
    is(name: string, xmlns?: string): boolean;
    toString(): string;
  }
  export interface XmppEntity extends EventEmitter {
    socket: Socket;
    status: string;
    isSecure(): boolean;
    start(): Promise<{ toString(): string }>;
    stop(): Promise<void>;
    write(data: string): Promise<void>;
    sendReceive(element: XmppElement, timeout?: number): Promise<XmppElement>;
    restart(): Promise<void>;
    _attachSocket(socket: unknown): void;
  }
  export class Client {
    constructor(options: { service: string; domain: string; timeout?: number });
  }
  export interface Client extends XmppEntity {}
  export function xml(name: string, attrs?: Record<string, string | undefined> | null, ...children: (XmppElement | string)[]): XmppElement;
}
declare module '@xmpp/events' {
  export function promise(target: unknown, event: string): Promise<unknown>;
}
declare module '@xmpp/middleware' {
  import type { XmppElement, XmppEntity } from '@xmpp/client-core';
  export interface IncomingContext {
    stanza: XmppElement;
    entity: XmppEntity;
    element: XmppElement;
  }
  export type Middleware = (ctx: IncomingContext, next: () => Promise<unknown>) => unknown;
  export interface MiddlewareApi {
    use(fn: Middleware): Middleware;
  }
  export default function middleware(o: { entity: XmppEntity }): MiddlewareApi;
}
declare module '@xmpp/stream-features' {
  import type { XmppElement } from '@xmpp/client-core';
  import type { IncomingContext, MiddlewareApi } from '@xmpp/middleware';
  export interface StreamFeatures {
    use(name: string, xmlns: string, handler: (ctx: IncomingContext, next: () => Promise<unknown>, feature: XmppElement) => unknown): void;
  }
  export default function streamFeatures(o: { middleware: MiddlewareApi }): StreamFeatures;
}
declare module '@xmpp/iq/caller.js' {
  import type { XmppEntity } from '@xmpp/client-core';
  import type { MiddlewareApi } from '@xmpp/middleware';
  import type { XmppElement } from '@xmpp/client-core';
  export interface IqCaller {
    request(element: XmppElement, timeout?: number): Promise<XmppElement>;
  }
  export default function iqCaller(o: { middleware: MiddlewareApi; entity: XmppEntity }): IqCaller;
}
declare module '@xmpp/iq/callee.js' {
  import type { XmppElement, XmppEntity } from '@xmpp/client-core';
  import type { MiddlewareApi } from '@xmpp/middleware';
  type Handler = (ctx: { stanza: XmppElement; element: XmppElement }) => unknown;
  export interface IqCallee {
    set(ns: string, name: string, handler: Handler): void;
    get(ns: string, name: string, handler: Handler): void;
  }
  export default function iqCallee(o: { middleware: MiddlewareApi; entity: XmppEntity }): IqCallee;
}
declare module '@xmpp/resource-binding' {
  import type { IqCaller } from '@xmpp/iq/caller.js';
  import type { StreamFeatures } from '@xmpp/stream-features';
  export default function resourceBinding(o: { streamFeatures: StreamFeatures; iqCaller: IqCaller }, resource: string | undefined): void;
}
declare module '@xmpp/sasl' {
  import type { XmppEntity } from '@xmpp/client-core';
  import type { StreamFeatures } from '@xmpp/stream-features';
  import type SASLFactory from 'saslmechanisms';
  type Authenticate = (credentials: { username: string; password: string }, mechanism: string) => Promise<void>;
  export default function sasl(
    o: { streamFeatures: StreamFeatures; saslFactory: SASLFactory },
    onAuthenticate: (authenticate: Authenticate, mechanisms: string[], fast: unknown, entity: XmppEntity) => Promise<void>,
  ): void;
}
declare module '@xmpp/sasl-plain' {
  import type SASLFactory from 'saslmechanisms';
  export default function saslPlain(factory: SASLFactory): void;
}
declare module '@xmpp/sasl-scram-sha-1' {
  import type SASLFactory from 'saslmechanisms';
  export default function saslScramSha1(factory: SASLFactory): void;
}
declare module '@xmpp/tcp' {
  import type { XmppEntity } from '@xmpp/client-core';
  export default function tcp(o: { entity: XmppEntity }): void;
}
declare module '@xmpp/tls/lib/Socket.js' {
  import type { EventEmitter } from 'node:events';
  import type { ConnectionOptions } from 'node:tls';
  export default class TlsSocket extends EventEmitter {
    socket: import('node:tls').TLSSocket | null;
    connect(options: ConnectionOptions): void;
  }
}
declare module 'saslmechanisms' {
  export default class SASLFactory {}
}
