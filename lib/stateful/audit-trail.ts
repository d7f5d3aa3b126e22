// The audit trail (PCI DSS 10): CloudTrail to an encrypted, versioned, access-logged
// bucket and a CloudWatch log group, both kept 365 days. Built in the stateful stack's
// scope directly, so construct paths and logical ids are the stack's.
import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as cloudtrail from 'aws-cdk-lib/aws-cloudtrail';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';
import { logRetention } from '#lib/constructs/payments-function.ts';

const auditRetentionDays = 365;

/** Multi-region, validated, KMS-encrypted, to CloudWatch Logs and S3, both kept 365 days. */
export function createTrail(scope: Construct, key: kms.IKey): cloudtrail.Trail {
  const accessLogs = new s3.Bucket(scope, 'TrailAccessLogs', {
    // S3 server access logs can only be delivered to an SSE-S3 bucket.
    encryption: s3.BucketEncryption.S3_MANAGED,
    versioned: true,
    enforceSSL: true,
    blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
    objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
    lifecycleRules: [{ expiration: Duration.days(auditRetentionDays), noncurrentVersionExpiration: Duration.days(30) }],
    removalPolicy: RemovalPolicy.RETAIN,
  });
  Validations.of(accessLogs).acknowledge(
    { id: 'AwsSolutions-S1', reason: 'This bucket is the access-log destination of the trail bucket; logging it into itself would log its own log deliveries forever.' },
    { id: 'PCI.DSS.321-S3BucketLoggingEnabled', reason: 'This bucket is the access-log destination of the trail bucket; logging it into itself would log its own log deliveries forever.' },
    { id: 'PCI.DSS.321-S3DefaultEncryptionKMS', reason: 'S3 server access log delivery supports only SSE-S3 destination buckets; it holds access records of the trail bucket, no cardholder data.' },
    { id: 'PCI.DSS.321-S3BucketReplicationEnabled', reason: 'Access records are kept 365 days in a versioned, SSL-only, private bucket; cross-region replication would double the cost of a secondary audit record.' },
  );

  const trailBucket = new s3.Bucket(scope, 'TrailBucket', {
    encryption: s3.BucketEncryption.KMS,
    encryptionKey: key,
    bucketKeyEnabled: true,
    versioned: true,
    enforceSSL: true,
    blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
    objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
    serverAccessLogsBucket: accessLogs,
    serverAccessLogsPrefix: 'trail-bucket/',
    lifecycleRules: [
      { expiration: Duration.days(auditRetentionDays), noncurrentVersionExpiration: Duration.days(auditRetentionDays) },
    ],
    removalPolicy: RemovalPolicy.RETAIN,
  });
  Validations.of(trailBucket).acknowledge({
    id: 'PCI.DSS.321-S3BucketReplicationEnabled',
    reason: 'The trail is multi-region and every event is also delivered to a KMS-encrypted CloudWatch log group kept 365 days: that is the second copy; replicating the bucket would be a third.',
  });

  const trailLogs = new logs.LogGroup(scope, 'TrailLogs', {
    encryptionKey: key,
    retention: logRetention,
    removalPolicy: RemovalPolicy.RETAIN,
  });

  const trail = new cloudtrail.Trail(scope, 'Trail', {
    isMultiRegionTrail: true,
    includeGlobalServiceEvents: true,
    enableFileValidation: true,
    encryptionKey: key,
    bucket: trailBucket,
    sendToCloudWatchLogs: true,
    cloudWatchLogGroup: trailLogs,
    managementEvents: cloudtrail.ReadWriteType.ALL,
  });
  Validations.of(trail).acknowledge({
    id: 'PCI.DSS.321-IAMNoInlinePolicy',
    reason:
      'The role CloudTrail assumes to deliver to its log group carries one inline statement (logs:CreateLogStream, logs:PutLogEvents on that log group) that lives and dies with the role; a customer-managed policy would be a separately attachable copy.',
  });
  return trail;
}
