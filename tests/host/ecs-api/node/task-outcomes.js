// SPDX-License-Identifier: GPL-2.0
// An asynchronous CreateDisk that fails on the agent (the host has no
// room for it) is shown as ECS shows a failed task: DescribeTasks lists
// it Failed, and DescribeTaskAttribute gives the agent's ErrorCode and
// ErrorMsg; a CreateDisk that works is Finished; another account sees
// neither.
'use strict';
const { Ecs, ecs, waitDisk, rejects, run, REGION, assert } = require('./common');

const c = ecs();
const other = ecs({ ak: process.env.ECS_AK_B, secret: process.env.ECS_SECRET_B });
const st = {};
const tasks = async (p = {}, client = c) => (await client.describeTasks(
  new Ecs.DescribeTasksRequest({ regionId: REGION, ...p }))).body;
const taskOf = async (diskId) => (await tasks({ taskAction: 'CreateDisk', pageSize: 100 }))
  .taskSet.task.find((t) => t.resourceId === diskId);

run({
  'a CreateDisk the host has no room for: gone from DescribeDisks, Failed in DescribeTasks': async () => {
    st.big = (await c.createDisk(new Ecs.CreateDiskRequest({ regionId: REGION,
      diskCategory: 'cloud_ssd', size: 32768, encrypted: true }))).body.diskId;
    await waitDisk(c, st.big, 'gone');
    const t = await taskOf(st.big);
    assert.ok(t, `no task of ${st.big}`);
    assert.strictEqual(t.taskStatus, 'Failed');
    assert.match(t.taskId, /^t-/);
    assert.ok(t.creationTime && t.finishedTime, 'times');
    st.task = t.taskId;
    const failed = await tasks({ taskStatus: 'Failed' });
    assert.deepStrictEqual(failed.taskSet.task.map((x) => x.taskId), [st.task]);
  },
  'DescribeTaskAttribute: the agent\'s ErrorCode and ErrorMsg': async () => {
    const r = (await c.describeTaskAttribute(new Ecs.DescribeTaskAttributeRequest({
      regionId: REGION, taskId: st.task }))).body;
    assert.strictEqual(r.taskAction, 'CreateDisk');
    assert.strictEqual(r.taskStatus, 'Failed');
    assert.strictEqual(r.failedCount, 1);
    const p = r.operationProgressSet.operationProgress[0];
    assert.strictEqual(p.operationStatus, 'Failed');
    assert.strictEqual(p.errorCode, 'OperationDenied.NoStock');
    assert.match(p.errorMsg, /does not fit/);
    assert.doesNotMatch(p.errorMsg, /\//, 'a host path reached the user');
    assert.deepStrictEqual(p.relatedItemSet.relatedItem.map((i) => [i.name, i.value]),
      [['DiskId', st.big]]);
  },
  'a CreateDisk that works is Finished': async () => {
    const id = (await c.createDisk(new Ecs.CreateDiskRequest({ regionId: REGION,
      diskCategory: 'cloud_ssd', size: 1, encrypted: true }))).body.diskId;
    await waitDisk(c, id, 'Available');
    assert.strictEqual((await taskOf(id)).taskStatus, 'Finished');
  },
  'another account sees none of them': async () => {
    assert.strictEqual((await tasks({}, other)).totalCount, 0);
    await rejects(other.describeTaskAttribute(new Ecs.DescribeTaskAttributeRequest({
      regionId: REGION, taskId: st.task })), 'InvalidTaskId.NotFound', 404);
  },
}, true);
