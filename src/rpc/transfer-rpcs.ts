/**
 * Download, Upload, ScheduleDownload, CancelTransfer and the queue listings. Arguments are
 * checked here, so that a bad request is a fault in the session; the transfer itself runs
 * after the session and reports through TransferComplete (Status 1).
 */
import type { AcsRequestOf } from '../cwmp/messages.js';
import {
  acceptDownload,
  acceptScheduleDownload,
  doneInSession,
  acceptUpload,
  queuedTransfers,
  transfersToCancel,
  type TransferRecord,
} from '../cwmp/transfer-record.js';
import type { AgentControl, ResponseTo } from './rpc-context.js';

export async function download(agent: AgentControl, req: AcsRequestOf<'Download'>): Promise<ResponseTo<'Download'>> {
  const t = acceptDownload(req, agent.transferQueue(), agent.now(), agent.newTransferId());
  if (doneInSession(t)) {
    const { startTime, completeTime } = await agent.transferInSession(t);
    return { method: 'DownloadResponse', status: 0, startTime, completeTime };
  }
  agent.queueTransfer(t);
  return { method: 'DownloadResponse', status: 1, startTime: null, completeTime: null };
}

export function upload(agent: AgentControl, req: AcsRequestOf<'Upload'>): ResponseTo<'Upload'> {
  agent.queueTransfer(acceptUpload(req, agent.transferQueue(), agent.now(), agent.newTransferId()));
  return { method: 'UploadResponse', status: 1, startTime: null, completeTime: null };
}

export function scheduleDownload(agent: AgentControl, req: AcsRequestOf<'ScheduleDownload'>): ResponseTo<'ScheduleDownload'> {
  agent.queueTransfer(acceptScheduleDownload(req, agent.transferQueue(), agent.now(), agent.newTransferId()));
  return { method: 'ScheduleDownloadResponse' };
}

export function cancelTransfer(agent: AgentControl, req: AcsRequestOf<'CancelTransfer'>): ResponseTo<'CancelTransfer'> {
  agent.cancelTransfers(transfersToCancel(agent.transferQueue(), req.commandKey));
  return { method: 'CancelTransferResponse' };
}

/** Transfers the ACS asked for; autonomous ones show in GetAllQueuedTransfers only. */
export function getQueuedTransfers(agent: AgentControl): ResponseTo<'GetQueuedTransfers'> {
  const fromAcs = agent.transferQueue().filter((t: TransferRecord) => t.origin !== 'Autonomous');
  return { method: 'GetQueuedTransfersResponse', transferList: queuedTransfers(fromAcs) };
}

export function getAllQueuedTransfers(agent: AgentControl): ResponseTo<'GetAllQueuedTransfers'> {
  return { method: 'GetAllQueuedTransfersResponse', transferList: queuedTransfers(agent.transferQueue()) };
}
