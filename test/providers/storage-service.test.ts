/**
 * TR-140 StorageService over CWMP: the simulated device's SSD and volume, and on this Linux host
 * the real disks and mounted filesystems, checked against /sys/block and statfs.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { LinuxHostDevice } from '../../src/providers/linux-host.js';
import { linuxLogicalVolumes } from '../../src/providers/storage-service.js';
import { getValues, startHarness, sessionsCompleted } from '../helpers/agent-harness.js';

const SS = 'Device.Services.StorageService.1.';

test('simulated device: one SSD and its ext4 volume; ThresholdLimit the ACS sets drives ThresholdReached; the volume cannot be resized', {
  timeout: 30_000,
}, async () => {
  const h = await startHarness();
  try {
    h.agent.start();
    await sessionsCompleted(h, 1);
    const v = await getValues(h, 'Device.Services.');
    assert.equal(v['Device.Services.StorageServiceNumberOfEntries'], '1');
    assert.equal(v[`${SS}PhysicalMediumNumberOfEntries`], '1');
    assert.equal(v[`${SS}PhysicalMedium.1.Type`], 'SSD');
    assert.equal(v[`${SS}LogicalVolume.1.FileSystem`], 'ext4');
    assert.equal(v[`${SS}LogicalVolume.1.PhysicalReference`], `${SS}PhysicalMedium.1`);
    assert.equal(v[`${SS}Capabilities.SupportedFileSystemTypes`], 'ext4');
    const capacity = Number(v[`${SS}LogicalVolume.1.Capacity`]);
    const used = Number(v[`${SS}LogicalVolume.1.UsedSpace`]);
    assert.ok(used > 0 && used < capacity, `${used} of ${capacity} MB used`);
    assert.equal(v[`${SS}LogicalVolume.1.ThresholdReached`], 'false');
    // Free space below the limit: reached.
    h.acs.queue(h.serial, {
      method: 'SetParameterValues',
      parameterList: [{ name: `${SS}LogicalVolume.1.ThresholdLimit`, value: String(capacity - used + 1), type: 'unsignedInt' }],
      parameterKey: 't',
    });
    const after = await getValues(h, `${SS}LogicalVolume.1.ThresholdReached`);
    assert.equal(after[`${SS}LogicalVolume.1.ThresholdReached`], 'true');
    h.acs.queue(h.serial, {
      method: 'SetParameterValues',
      parameterList: [{ name: `${SS}LogicalVolume.1.Capacity`, value: '1', type: 'unsignedInt' }],
      parameterKey: 'c',
    });
    await getValues(h, `${SS}LogicalVolume.1.Capacity`);
    const refused = h.acs.responses(h.serial).find((r) => r.method === 'Fault');
    assert.ok(refused, 'resizing the volume is refused with a fault');
    assert.equal(Number((await getValues(h, `${SS}LogicalVolume.1.Capacity`))[`${SS}LogicalVolume.1.Capacity`]), capacity);
  } finally {
    await h.close();
  }
});

test('Linux host: the volumes are the mounted block-device filesystems, with statfs sizes; disks from /sys/block', { timeout: 30_000 }, async () => {
  const device = new LinuxHostDevice();
  const h = await startHarness({ agent: { device } });
  try {
    h.agent.start();
    await sessionsCompleted(h, 1);
    const v = await getValues(h, 'Device.Services.StorageService.');
    const expected = linuxLogicalVolumes();
    const mounted = fs
      .readFileSync('/proc/mounts', 'utf8')
      .split('\n')
      .filter((l) => l.startsWith('/dev/'));
    assert.equal(Number(v[`${SS}LogicalVolumeNumberOfEntries`]), new Set(mounted.map((l) => l.split(' ')[0])).size, 'one volume per mounted device');
    expected.forEach((vol, i) => {
      assert.equal(v[`${SS}LogicalVolume.${i + 1}.Name`], vol.name);
      const st = fs.statfsSync(vol.name);
      const capacity = Math.floor((st.blocks * st.bsize) / 1024 / 1024);
      assert.ok(Math.abs(Number(v[`${SS}LogicalVolume.${i + 1}.Capacity`]) - capacity) <= 1, `capacity of ${vol.name}`);
    });
    const disks = fs.readdirSync('/sys/block').filter((n) => !/^(loop|ram|zram|dm-|md|sr|fd|nbd)/.test(n));
    assert.equal(Number(v[`${SS}PhysicalMediumNumberOfEntries`]), disks.filter((d) => Number(fs.readFileSync(`/sys/block/${d}/size`, 'utf8')) > 2048).length);
    for (const [i, d] of disks.entries()) {
      const sectors = Number(fs.readFileSync(`/sys/block/${d}/size`, 'utf8'));
      if (sectors <= 2048) continue;
      assert.equal(v[`${SS}PhysicalMedium.${i + 1}.Name`], d);
      assert.equal(Number(v[`${SS}PhysicalMedium.${i + 1}.Capacity`]), Math.floor((sectors * 512) / 1024 / 1024));
    }
  } finally {
    await h.close();
  }
});
