// Network isolation (vpcIsolation): the VPC the functions run in. Built in the API
// stack's scope directly, so construct paths and logical ids are those of the stack.
import { RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { logRetention, type NetworkPlacement } from '#lib/constructs/payments-function.ts';
import type { EnvironmentConfig } from '#lib/environment-config.ts';

/** Private subnets, endpoints for the AWS services the functions call, NAT egress for WePay only. */
export function createNetwork(scope: Construct, config: EnvironmentConfig, key: kms.IKey): NetworkPlacement {
  const flowLogs = new logs.LogGroup(scope, 'VpcFlowLogs', {
    encryptionKey: key,
    retention: logRetention,
    removalPolicy: RemovalPolicy.RETAIN,
  });
  const vpc = new ec2.Vpc(scope, 'Network', {
    availabilityZones: config.availabilityZones,
    natGateways: config.availabilityZones.length,
    subnetConfiguration: [
      // Public subnets hold only the NAT gateways, whose Elastic IPs need no auto-assigned addresses.
      { name: 'egress', subnetType: ec2.SubnetType.PUBLIC, cidrMask: 26, mapPublicIpOnLaunch: false },
      { name: 'functions', subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS, cidrMask: 22 },
    ],
    flowLogs: { all: { destination: ec2.FlowLogDestination.toCloudWatchLogs(flowLogs), trafficType: ec2.FlowLogTrafficType.ALL } },
    gatewayEndpoints: { DynamoDb: { service: ec2.GatewayVpcEndpointAwsService.DYNAMODB } },
  });
  const subnets = { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS };
  const functions = new ec2.SecurityGroup(scope, 'FunctionsSecurityGroup', {
    vpc,
    description: 'Payments functions: no inbound; HTTPS out only (endpoints in the VPC, WePay through NAT)',
    allowAllOutbound: false,
  });
  // WePay publishes no IP ranges, so HTTPS to any address; the NAT route is the only way out.
  functions.addEgressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(443), 'HTTPS: AWS endpoints and the WePay API');
  const endpoints = new ec2.SecurityGroup(scope, 'EndpointsSecurityGroup', {
    vpc,
    description: 'Interface endpoints: HTTPS from the payments functions only',
    allowAllOutbound: false,
  });
  endpoints.addIngressRule(functions, ec2.Port.tcp(443), 'HTTPS from the payments functions');
  for (const [name, service] of [
    ['Kms', ec2.InterfaceVpcEndpointAwsService.KMS],
    ['SecretsManager', ec2.InterfaceVpcEndpointAwsService.SECRETS_MANAGER],
    ['Sqs', ec2.InterfaceVpcEndpointAwsService.SQS],
    ['Logs', ec2.InterfaceVpcEndpointAwsService.CLOUDWATCH_LOGS],
    // The events publisher's PutEvents.
    ['Events', ec2.InterfaceVpcEndpointAwsService.EVENTBRIDGE],
  ] as const) {
    vpc.addInterfaceEndpoint(name, { service, subnets, privateDnsEnabled: true, open: false, securityGroups: [endpoints] });
  }
  for (const subnet of vpc.publicSubnets) {
    Validations.of(subnet).acknowledge({
      id: 'PCI.DSS.321-VPCNoUnrestrictedRouteToIGW',
      reason:
        'The public subnets hold only the NAT gateways; their default route to the internet gateway is how the functions (in private subnets, with no route of their own to the IGW) reach the WePay API.',
    });
  }
  return { vpc, subnets, securityGroups: [functions] };
}
