import { ContainerModule } from 'inversify';
import { MEDIA } from '@gossipper/core';
import type { MediaPort } from '@gossipper/core';
import { ShardedMediaEngine, type ShardedMediaOptions } from './sharded-media.js';

/** Binds `MEDIA` to one (singleton) sharded scale engine. */
export function mediaScaleModule(options: ShardedMediaOptions = {}): ContainerModule {
  return new ContainerModule(({ bind }) => {
    bind<MediaPort>(MEDIA)
      .toDynamicValue(() => new ShardedMediaEngine(options))
      .inSingletonScope();
  });
}
