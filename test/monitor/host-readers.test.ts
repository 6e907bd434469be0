import assert from 'node:assert/strict';
import { cpus, totalmem } from 'node:os';
import { describe, it } from 'node:test';
import { MONITOR_TOPICS } from '../../src/bus/index.ts';
import { parseProcCgroup } from '../../src/monitor/host/container.ts';
import { parseCpuInfoMhz, parseProcStat } from '../../src/monitor/host/cpu.ts';
import { parseDiskstats } from '../../src/monitor/host/disk.ts';
import { parseNvidiaSmi } from '../../src/monitor/host/gpu.ts';
import { parseMeminfo } from '../../src/monitor/host/memory.ts';
import { parseNetDev, parseSockstat } from '../../src/monitor/host/network.ts';
import { parseOpenFilesLimit } from '../../src/monitor/host/process-metrics.ts';
import { HostSampler } from '../../src/monitor/host-sampler.ts';
import { hostMessages } from '../../src/monitor/host-streams.ts';

describe('host readers: parsing what the kernel writes', () => {
  it('reads per-core ticks from /proc/stat, skipping the all-CPU line', () => {
    const cores = parseProcStat(
      'cpu  10 0 5 100 1 0 0 2 0 0\ncpu0 6 0 3 50 1 0 0 1 0 0\ncpu1 4 0 2 50 0 0 0 1 0 0\nintr 123\n',
    );
    assert.deepEqual([...cores.keys()], [0, 1]);
    assert.deepEqual(cores.get(0), {
      user: 6,
      nice: 0,
      system: 3,
      idle: 50,
      iowait: 1,
      irq: 0,
      softirq: 0,
      steal: 1,
    });
  });

  it('reads clocks, memory, interfaces, sockets, disks, limits and cgroups', () => {
    assert.deepEqual(
      parseCpuInfoMhz('processor\t: 0\ncpu MHz\t\t: 2445.410\nprocessor\t: 1\ncpu MHz\t\t: 1200\n'),
      [2445.41, 1200],
    );
    const memory = parseMeminfo(
      'MemTotal:       1000 kB\nMemAvailable:    400 kB\nHugePages_Total:       0\n',
    );
    assert.equal(memory.get('MemTotal'), 1_024_000);
    assert.equal(memory.get('MemAvailable'), 409_600);
    assert.equal(memory.get('HugePages_Total'), 0);
    const nics = parseNetDev(
      'Inter-|   Receive |  Transmit\n face |bytes packets errs drop fifo frame compressed multicast|bytes packets errs drop fifo colls carrier compressed\n' +
        '  eth0: 100 2 1 0 0 0 0 0 300 4 2 1 0 0 0 0\n',
    );
    assert.deepEqual(nics.get('eth0'), {
      rxBytes: 100,
      rxPackets: 2,
      rxErrors: 1,
      rxDropped: 0,
      txBytes: 300,
      txPackets: 4,
      txErrors: 2,
      txDropped: 1,
    });
    assert.deepEqual(
      parseSockstat('sockets: used 46\nTCP: inuse 26 orphan 0 tw 2 alloc 29 mem 24\nUDP: inuse 3 mem 0\n'),
      {
        used: 46,
        tcpInUse: 26,
        tcpTimeWait: 2,
        udpInUse: 3,
      },
    );
    const disks = parseDiskstats(
      ' 253       0 vda 43537 10 2126922 500 30332 20 2976072 900 0 11732 1400 0 0 0 0\n',
    );
    assert.deepEqual(disks.get('vda'), {
      reads: 43537,
      readBytes: 2126922 * 512,
      writes: 30332,
      writtenBytes: 2976072 * 512,
      ioMs: 11732,
    });
    assert.equal(
      parseOpenFilesLimit(
        'Max cpu time   unlimited unlimited seconds\nMax open files            20000                20000                files\n',
      ),
      20000,
    );
    assert.equal(parseOpenFilesLimit('Max open files unlimited unlimited files\n'), undefined);
    const groups = parseProcCgroup('4:memory:/docker/abc\n2:cpu,cpuacct:/docker/abc\n0::/system.slice/x\n');
    assert.equal(groups.get('memory'), '/docker/abc');
    assert.equal(groups.get('cpuacct'), '/docker/abc');
    assert.equal(groups.get(''), '/system.slice/x');
    assert.deepEqual(parseNvidiaSmi('0, NVIDIA A100-SXM4-40GB, 37, 1024, 40960, 45\n'), [
      {
        index: 0,
        name: 'NVIDIA A100-SXM4-40GB',
        utilizationPercent: 37,
        memoryUsedBytes: 1024 * 1048576,
        memoryTotalBytes: 40960 * 1048576,
        celsius: 45,
      },
    ]);
  });
});

describe('host sampler on this machine', () => {
  it('samples every figure or says why it cannot, and publishes nothing invented', async () => {
    const sampler = new HostSampler(60_000, () => {});
    try {
      await sampler.sample();
      // Work between the two samples, so that the process's CPU and the cores move.
      const until = performance.now() + 50;
      while (performance.now() < until);
      const sample = (await sampler.sample())!;
      assert.equal(sample.cpu.cores.length, cpus().length);
      for (const core of sample.cpu.cores) {
        assert.ok(core.utilization >= 0 && core.utilization <= 100, JSON.stringify(core));
        const sum =
          core.user +
          core.nice +
          core.system +
          core.idle +
          core.iowait +
          core.irq +
          core.softirq +
          core.steal;
        assert.ok(Math.abs(sum - 100) < 0.2 || sum === 0, `modes sum to ${sum}`);
      }
      if (sample.cpu.source === 'procfs') assert.equal(sample.memory.totalBytes, totalmem());
      assert.ok(sample.process.rssBytes > 0);
      assert.ok(sample.process.cpuPercent > 0, 'the busy loop shows in process CPU');
      if (process.platform === 'linux') {
        assert.ok(
          sample.process.fds &&
            sample.process.fds.open > 0 &&
            sample.process.fds.limit >= sample.process.fds.open,
        );
        assert.ok(sample.network.available && sample.network.interfaces.some((nic) => nic.name === 'lo'));
      }
      for (const figure of [
        sample.gpu,
        sample.thermal,
        sample.container,
        ...Object.values(sample.accelerators),
      ])
        if (!figure.available) assert.ok(figure.reason.length > 10, 'an unavailable figure says why');
      // Apple's cores and engines are never reported as present: no reader exists.
      assert.equal(sample.accelerators.neuralEngine.available, false);

      const messages = new Map(hostMessages(sample));
      for (const topic of MONITOR_TOPICS.filter((name) => name !== 'monitor.performance')) {
        const message = messages.get(topic)!;
        assert.equal(message.time, sample.time, topic);
        // Each message survives JSON: no Maps, no undefined-only figures, no Infinity.
        assert.deepEqual(JSON.parse(JSON.stringify(message)), message, topic);
      }
    } finally {
      sampler.stop();
    }
  });
});
