/**
 * Two firmware banks (A/B) with an atomic switch: an install writes the inactive bank and
 * marks it for a trial boot; the next boot runs it and commits, or falls back to the bank that
 * was running. A power cut at any step leaves one bank bootable. With no directory the banks
 * live in memory (fleets, tests): the same state machine, without the image bytes.
 */
import fs from 'node:fs';
import path from 'node:path';
import { CwmpFault } from '../cwmp/faults.js';
import { AtomicJsonFile } from '../storage/atomic-json-file.js';
import { readFirmwareHeader, type FirmwareHeader } from './firmware-image.js';

export type Bank = 'a' | 'b';

export type ImageStatus = 'NoImage' | 'Active' | 'Available' | 'InstallationFailed' | 'ActivationFailed';

interface BankImage {
  version: string;
  status: ImageStatus;
  bootFailureLog: string;
  /** Fails its boot: in memory, what the header said (no file to read at boot); or forced by misbehaviour. */
  bootFails?: boolean;
}

export type InstallOutcome = { ok: true; version: string } | { ok: false; faultCode: number; faultString: string };

interface BankState {
  active: Bank;
  images: Partial<Record<Bank, BankImage>>;
  /** Set by an install, consumed by the next boot. */
  trial: { bank: Bank; transferId: string } | null;
  /** Outcome of the last install's boot, by the transfer that asked for it. */
  outcomes: Record<string, InstallOutcome>;
}

const other = (b: Bank): Bank => (b === 'a' ? 'b' : 'a');

export class FirmwareBank {
  private state: BankState;
  private readonly file: AtomicJsonFile<BankState> | undefined;

  /** `factoryVersion` is what bank A runs before any upgrade. */
  constructor(
    private readonly dir: string | undefined,
    factoryVersion: string,
  ) {
    this.file = dir ? new AtomicJsonFile<BankState>(path.join(dir, 'banks.json')) : undefined;
    this.state = this.file?.read() ?? {
      active: 'a',
      images: { a: { version: factoryVersion, status: 'Active', bootFailureLog: '' } },
      trial: null,
      outcomes: {},
    };
  }

  get activeBank(): Bank {
    return this.state.active;
  }

  get activeVersion(): string {
    return this.state.images[this.state.active]?.version ?? '';
  }

  image(bank: Bank): BankImage | undefined {
    return this.state.images[bank];
  }

  private imagePath(bank: Bank): string {
    return path.join(this.dir!, bank, 'image');
  }

  /**
   * Writes a verified image into the inactive bank and marks it for the next boot. The old
   * bank is untouched, so an interrupted install changes nothing that boots.
   */
  install(stagedFile: string, header: FirmwareHeader, transferId: string, failBoot = false): void {
    const target = other(this.state.active);
    if (this.dir) {
      const dest = this.imagePath(target);
      fs.mkdirSync(path.dirname(dest), { recursive: true });
      const tmp = `${dest}.tmp`;
      fs.copyFileSync(stagedFile, tmp);
      const fd = fs.openSync(tmp, 'r');
      try {
        fs.fsyncSync(fd);
      } finally {
        fs.closeSync(fd);
      }
      fs.renameSync(tmp, dest);
    }
    const image: BankImage = { version: header.version, status: 'Available', bootFailureLog: '' };
    // A misbehaving device fails the boot of a good image too: kept with the bank's record.
    if (failBoot || (!this.dir && header.bootFails)) image.bootFails = true;
    this.state.images[target] = image;
    this.state.trial = { bank: target, transferId };
    this.save();
  }

  /**
   * Called as the device boots: runs a pending trial. A bank that fails to boot is marked and
   * the device stays on the bank it ran before.
   */
  boot(): void {
    const trial = this.state.trial;
    if (!trial) return;
    const image = this.state.images[trial.bank];
    const problem = image ? this.bootProblem(trial.bank, image) : 'the bank holds no image';
    if (problem === undefined && image) {
      const previous = this.state.images[this.state.active];
      if (previous) previous.status = 'Available';
      image.status = 'Active';
      this.state.active = trial.bank;
      this.state.outcomes[trial.transferId] = { ok: true, version: image.version };
    } else {
      if (image) {
        image.status = 'ActivationFailed';
        image.bootFailureLog = problem ?? '';
      }
      this.state.outcomes[trial.transferId] = {
        ok: false,
        faultCode: 9010,
        faultString: `File transfer failure: the new firmware did not boot (${problem}); the device is back on ${this.activeVersion}`,
      };
    }
    this.state.trial = null;
    // Keep the record small: only the last few outcomes are asked for.
    const ids = Object.keys(this.state.outcomes);
    for (const id of ids.slice(0, Math.max(0, ids.length - 8))) delete this.state.outcomes[id];
    this.save();
  }

  private bootProblem(bank: Bank, image: BankImage): string | undefined {
    if (image.bootFails) return 'the image failed its boot check';
    if (!this.dir) return undefined;
    try {
      const { header } = readFirmwareHeader(this.imagePath(bank));
      if (header.version !== image.version) return 'the bank holds a different image than was installed';
      return header.bootFails ? 'the image failed its boot check' : undefined;
    } catch (err) {
      return err instanceof CwmpFault ? err.faultString : String(err);
    }
  }

  /** What became of the install a transfer asked for: undefined when it never reached the banks. */
  outcome(transferId: string): InstallOutcome | 'pending' | undefined {
    if (this.state.trial?.transferId === transferId) return 'pending';
    return this.state.outcomes[transferId];
  }

  private save(): void {
    this.file?.write(this.state);
  }
}
