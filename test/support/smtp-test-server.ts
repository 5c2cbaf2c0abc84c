import type { AddressInfo } from 'node:net';
import { simpleParser } from 'mailparser';
import type { ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export interface SmtpTestServerOptions {
  /** Listen on this port (e.g. to bring a server "back up" where one was down); default a free one. */
  port?: number;
  /** Require AUTH with this user and password; without it, mail is accepted from anyone. */
  credentials?: { user: string; password: string };
  /** Reject a failed AUTH with a reply that quotes what the client sent (to prove it is never stored). */
  echoRejectedPassword?: boolean;
  /** Hold each message this long before accepting it. */
  delayMs?: number;
}

/**
 * A real SMTP server in the test process, on 127.0.0.1, that keeps every message it accepts,
 * parsed. STARTTLS is off: smtp-server's built-in certificate is expired and publicly known,
 * and a loopback relay needs no TLS. Plain AUTH is allowed for the same reason.
 */
export class SmtpTestServer {
  readonly received: ParsedMail[] = [];
  readonly logins: Array<{ user: string; password: string }> = [];
  connections = 0;
  maxConcurrentConnections = 0;
  private open = 0;
  private waiters: Array<{ count: number; resolve: () => void }> = [];

  private constructor(
    private readonly server: SMTPServer,
    readonly port: number,
  ) {}

  static async start(options: SmtpTestServerOptions = {}): Promise<SmtpTestServer> {
    // The callbacks need the instance, which needs the listening server's port.
    const ref: { self?: SmtpTestServer } = {};
    const server = new SMTPServer({
      disabledCommands: ['STARTTLS'],
      allowInsecureAuth: true,
      authOptional: !options.credentials,
      logger: false,
      onConnect(_session, callback) {
        const self = ref.self;
        if (self) {
          self.connections += 1;
          self.open += 1;
          self.maxConcurrentConnections = Math.max(self.maxConcurrentConnections, self.open);
        }
        callback();
      },
      onClose() {
        if (ref.self) ref.self.open -= 1;
      },
      onAuth(auth, _session, callback) {
        const user = auth.username ?? '';
        const password = auth.password ?? '';
        ref.self?.logins.push({ user, password });
        if (options.credentials && user === options.credentials.user && password === options.credentials.password) {
          callback(null, { user });
          return;
        }
        const b64 = Buffer.from(password, 'utf8').toString('base64');
        callback(new Error(options.echoRejectedPassword ? `Invalid password ${password} (${b64}) for ${user}` : 'Invalid username or password'));
      },
      onData(stream, _session, callback) {
        simpleParser(stream)
          .then(async (mail) => {
            if (options.delayMs) await new Promise((resolve) => setTimeout(resolve, options.delayMs));
            ref.self?.accept(mail);
            callback();
          })
          .catch((error: Error) => callback(error));
      },
    });
    await new Promise<void>((resolve, reject) => {
      server.server.once('error', reject);
      server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
    });
    ref.self = new SmtpTestServer(server, (server.server.address() as AddressInfo).port);
    return ref.self;
  }

  /** Resolves once `count` messages in all have arrived. */
  waitForMessages(count: number): Promise<void> {
    if (this.received.length >= count) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ count, resolve }));
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private accept(mail: ParsedMail): void {
    this.received.push(mail);
    this.waiters = this.waiters.filter((w) => {
      if (this.received.length < w.count) return true;
      w.resolve();
      return false;
    });
  }
}

/** A loopback port with nothing listening (a mail server that is down). */
export async function closedPort(): Promise<number> {
  const server = await SmtpTestServer.start();
  await server.close();
  return server.port;
}
