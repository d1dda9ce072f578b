/** Everything that holds state and outlives a redeploy of the code: table, key, secret, queues, schedule group, exports bucket. */
import { Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { Blobs } from './blobs';
import { Messaging } from './messaging';
import type { StageSettings } from './stage';
import { Storage } from './storage';
import { Timers } from './timers';

export class StatefulStack extends Stack {
  readonly storage: Storage;
  readonly messaging: Messaging;
  readonly timers: Timers;
  readonly blobs: Blobs;

  constructor(scope: Construct, id: string, readonly stage: StageSettings, props?: StackProps) {
    super(scope, id, props);
    this.storage = new Storage(this, 'Storage', stage);
    this.messaging = new Messaging(this, 'Messaging', stage);
    this.timers = new Timers(this, 'Timers', stage);
    this.blobs = new Blobs(this, 'Blobs', stage);
  }
}
