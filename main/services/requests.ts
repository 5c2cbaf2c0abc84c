import type { Clock } from '../clock.js';
import type { ChannelOutput, ChannelParsedInput } from '../../shared/ipc/contract.js';
import { AppError } from '../../shared/ipc/errors.js';
import type { Store } from '../store/types.js';
import type { Session } from './sessions.js';

const NOT_YET = 'This part of the console is not built yet.';

/**
 * Role requests: filing, withdrawing, the Security Official queue, bulk decisions and the
 * governance rules of the job aids (first Security Official by CMS, nobody decides their own).
 */
export class RequestService {
  constructor(
    readonly store: Store,
    readonly clock: Clock,
  ) {}

  async options(_session: Session): Promise<ChannelOutput<'access.options'>> {
    throw new AppError('NOT_FOUND', NOT_YET);
  }
  async file(_session: Session, _input: ChannelParsedInput<'access.request'>): Promise<ChannelOutput<'access.request'>> {
    throw new AppError('NOT_FOUND', NOT_YET);
  }
  async mine(_session: Session): Promise<ChannelOutput<'access.mine'>> {
    throw new AppError('NOT_FOUND', NOT_YET);
  }
  async withdraw(_session: Session, _input: ChannelParsedInput<'access.withdraw'>): Promise<ChannelOutput<'access.withdraw'>> {
    throw new AppError('NOT_FOUND', NOT_YET);
  }
  async queuePage(_session: Session, _input: ChannelParsedInput<'queue.page'>): Promise<ChannelOutput<'queue.page'>> {
    throw new AppError('NOT_FOUND', NOT_YET);
  }
  async preview(_session: Session, _input: ChannelParsedInput<'queue.preview'>): Promise<ChannelOutput<'queue.preview'>> {
    throw new AppError('NOT_FOUND', NOT_YET);
  }
  async approve(_session: Session, _input: ChannelParsedInput<'queue.approve'>): Promise<ChannelOutput<'queue.approve'>> {
    throw new AppError('NOT_FOUND', NOT_YET);
  }
  async reject(_session: Session, _input: ChannelParsedInput<'queue.reject'>): Promise<ChannelOutput<'queue.reject'>> {
    throw new AppError('NOT_FOUND', NOT_YET);
  }
  async view(_session: Session, _input: ChannelParsedInput<'queue.view'>): Promise<ChannelOutput<'queue.view'>> {
    throw new AppError('NOT_FOUND', NOT_YET);
  }
  async reopen(_session: Session, _input: ChannelParsedInput<'queue.reopen'>): Promise<ChannelOutput<'queue.reopen'>> {
    throw new AppError('NOT_FOUND', NOT_YET);
  }
}
