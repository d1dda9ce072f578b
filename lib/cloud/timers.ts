/**
 * EventBridge Scheduler's side of the timers: the schedule group and the role Scheduler assumes to invoke the timers
 * function. The function lives in the stateless stack, so the role names it by its fixed name rather than by a
 * reference (which would tie the stacks in a cycle).
 */
import { ArnFormat, Stack } from 'aws-cdk-lib';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { ScheduleGroup } from 'aws-cdk-lib/aws-scheduler';
import { Construct } from 'constructs';
import type { StageSettings } from './stage';

export function timersFunctionName(stage: StageSettings): string {
  return `${stage.prefix}-timers`;
}

export class Timers extends Construct {
  readonly group: ScheduleGroup;
  readonly schedulerRole: Role;

  constructor(scope: Construct, id: string, stage: StageSettings) {
    super(scope, id);
    const stack = Stack.of(this);
    this.group = new ScheduleGroup(this, 'Group', {
      scheduleGroupName: `${stage.prefix}-timers`,
      removalPolicy: stage.removalPolicy,
    });
    this.schedulerRole = new Role(this, 'SchedulerRole', {
      description: 'Assumed by EventBridge Scheduler to fire Switchboard timers',
      assumedBy: new ServicePrincipal('scheduler.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': stack.account } },
      }),
    });
    this.schedulerRole.addToPolicy(
      new PolicyStatement({
        actions: ['lambda:InvokeFunction'],
        resources: [stack.formatArn({ service: 'lambda', resource: 'function', resourceName: timersFunctionName(stage), arnFormat: ArnFormat.COLON_RESOURCE_NAME })],
      }),
    );
  }
}
