// SPDX-License-Identifier: GPL-2.0
// The VM story's console step (tests/vm/ecs-api/run.sh): with instance
// i-vm1's agent in the guest, the console attaches or detaches a disk and
// the page follows its state (Attaching -> In_use) without a reload.
//   node vm-attach.js attach          an encrypted disk made and attached; prints its id
//   node vm-attach.js detach DISK     detached again
'use strict';
const { launch, signIn, shot, waitStatus, assert } = require('./browser');

const URL0 = process.env.CONSOLE_URL;
const INSTANCE = 'i-vm1';

(async () => {
  const b = await launch();
  const { page } = b;
  const [verb, arg] = process.argv.slice(2);
  try {
    await signIn(page, process.env.ECS_AK, process.env.ECS_SECRET);
    await page.locator('#disks-table table').waitFor();
    let disk = arg;
    if (verb === 'attach') {
      await page.goto(`${URL0}#create`);
      await page.getByLabel('Disk name').fill('vm-data');
      await page.getByLabel('Size (GiB)').fill('1');
      await page.getByLabel('Encrypted').check();
      await page.getByRole('button', { name: 'Create disk' }).click();
      await page.waitForURL(/#disk\/d-/);
      disk = page.url().split('#disk/')[1];
      await waitStatus(page, '#disk-info .disk-status', 'Available', 60000);
    } else {
      await page.goto(`${URL0}#disk/${disk}`);
    }
    // A mark in the page: still there at the end means no reload.
    await page.evaluate(() => { window.notReloaded = true; });
    const want = verb === 'attach' ? 'In_use' : 'Available';
    if (verb === 'attach') {
      await page.getByLabel('Instance').selectOption(INSTANCE);
      await page.getByRole('button', { name: 'Attach', exact: true }).click();
    } else {
      await page.getByRole('button', { name: 'Detach' }).click();
    }
    const seen = await waitStatus(page, '#disk-info .disk-status', want, 60000);
    assert.ok(await page.evaluate(() => window.notReloaded), 'the page was reloaded');
    // The page refreshes as soon as the action is answered, while the
    // guest's agent is still at work: the passing state is seen too.
    const passing = verb === 'attach' ? 'Attaching' : 'Detaching';
    assert.ok(seen.includes(passing), `${passing} never shown: ${seen.join(' -> ')}`);
    if (verb === 'attach') {
      assert.match(await page.locator('#disk-info .disk-instance').textContent(),
        new RegExp(`^${INSTANCE} \\(/dev/mapper/`));
      await shot(page, 'disk-attached');
    }
    console.error(`console: ${disk} ${seen.join(' -> ')}`);
    console.log(disk);
  } finally {
    await b.browser.close();
  }
})().catch((e) => {
  console.error(`FAIL console ${process.argv[2]}: ${e.stack || e}`);
  process.exit(1);
});
