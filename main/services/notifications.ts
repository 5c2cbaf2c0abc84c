import type { Clock } from '../clock.js';
import type { ChannelOutput, ChannelParsedInput } from '../../shared/ipc/contract.js';
import { AppError } from '../../shared/ipc/errors.js';
import type { Store } from '../store/types.js';
import type { Session } from './sessions.js';

const NOT_YET = 'This part of the console is not built yet.';

/** The outbox: emails owed, sent and failed; delivery over SMTP with retry; mail settings. */
export class NotificationService {
  constructor(
    readonly store: Store,
    readonly clock: Clock,
  ) {}

  async list(_session: Session, _input: ChannelParsedInput<'outbox.list'>): Promise<ChannelOutput<'outbox.list'>> {
    throw new AppError('NOT_FOUND', NOT_YET);
  }
  async retry(_session: Session, _input: ChannelParsedInput<'outbox.retry'>): Promise<ChannelOutput<'outbox.retry'>> {
    throw new AppError('NOT_FOUND', NOT_YET);
  }
  async mailSettings(_session: Session): Promise<ChannelOutput<'mail.settings'>> {
    throw new AppError('NOT_FOUND', NOT_YET);
  }
  async saveMailSettings(_session: Session, _input: ChannelParsedInput<'mail.saveSettings'>): Promise<ChannelOutput<'mail.saveSettings'>> {
    throw new AppError('NOT_FOUND', NOT_YET);
  }
}
