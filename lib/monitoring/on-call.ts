// The channels alarms notify: the on-call topic, and a second topic that only hears about
// pages the first could not deliver, so that a dead paging path is not reported over itself.
import { Duration, Validations } from 'aws-cdk-lib';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import type { EnvironmentConfig } from '#lib/environment-config.ts';

type Subscription = EnvironmentConfig['onCallSubscriptions'][number];

function subscriptionFor(subscription: Subscription, deadLetterQueue?: sqs.IQueue): sns.ITopicSubscription {
  const options = deadLetterQueue ? { deadLetterQueue } : {};
  if (subscription.protocol === 'email') return new subscriptions.EmailSubscription(subscription.endpoint, options);
  if (subscription.protocol === 'sms') return new subscriptions.SmsSubscription(subscription.endpoint, options);
  return new subscriptions.UrlSubscription(subscription.endpoint, { ...options, protocol: sns.SubscriptionProtocol.HTTPS });
}

export interface OnCallChannels {
  /** Every alarm but UndeliveredPages notifies it. */
  topic: sns.Topic;
  /** Notifications SNS could not deliver to the on-call subscriptions. */
  undelivered: sqs.Queue;
  /** The second channel: UndeliveredPages alone notifies it. */
  undeliveredPagesTopic: sns.Topic;
}

export function createOnCallChannels(scope: Construct, config: EnvironmentConfig, key: kms.IKey): OnCallChannels {
  const topic = new sns.Topic(scope, 'OnCall', {
    displayName: `Payments ${config.name} on-call`,
    masterKey: key,
    enforceSSL: true,
  });
  const undelivered = new sqs.Queue(scope, 'UndeliveredPages', {
    encryption: sqs.QueueEncryption.KMS,
    encryptionMasterKey: key,
    enforceSSL: true,
    retentionPeriod: Duration.days(14),
  });
  const isTheDeadLetterQueue =
    'This queue is itself the dead-letter queue of the on-call subscriptions: a queue for its failures would need one of its own; it is alarmed on (UndeliveredPages, on a second channel) instead.';
  Validations.of(undelivered).acknowledge(
    { id: 'AwsSolutions-SQS3', reason: isTheDeadLetterQueue },
    { id: 'Serverless-SQSRedrivePolicy', reason: isTheDeadLetterQueue },
  );
  for (const subscription of config.onCallSubscriptions) topic.addSubscription(subscriptionFor(subscription, undelivered));

  const undeliveredPagesTopic = new sns.Topic(scope, 'UndeliveredPagesChannel', {
    displayName: `Payments ${config.name}: on-call pages undelivered`,
    masterKey: key,
    enforceSSL: true,
  });
  // No dead-letter queue here: its failures would have to be reported on a third channel, and so on.
  for (const subscription of config.undeliveredPageSubscriptions) undeliveredPagesTopic.addSubscription(subscriptionFor(subscription));
  return { topic, undelivered, undeliveredPagesTopic };
}
