/** The parameter RPCs: Get/SetParameterValues, GetParameterNames, Get/SetParameterAttributes. */
import { CwmpFault } from '../cwmp/faults.js';
import type { AcsRequestOf, CpeResponse } from '../cwmp/messages.js';
import type { DataModel } from '../datamodel/data-model.js';
import { ManagementServer } from '../models/device-core.js';

export function getParameterValues(model: DataModel, req: AcsRequestOf<'GetParameterValues'>): CpeResponse {
  return { method: 'GetParameterValuesResponse', parameterList: model.getParameterValues(req.parameterNames) };
}

export function setParameterValues(model: DataModel, req: AcsRequestOf<'SetParameterValues'>): CpeResponse {
  model.setParameterValues(req.parameterList, ManagementServer.parameterKey, req.parameterKey);
  // Every change here takes effect at once; none waits for a reboot.
  return { method: 'SetParameterValuesResponse', status: 0 };
}

export function getParameterNames(model: DataModel, req: AcsRequestOf<'GetParameterNames'>): CpeResponse {
  return { method: 'GetParameterNamesResponse', parameterList: model.getParameterNames(req.parameterPath, req.nextLevel) };
}

export function getParameterAttributes(model: DataModel, req: AcsRequestOf<'GetParameterAttributes'>): CpeResponse {
  return { method: 'GetParameterAttributesResponse', parameterList: model.getParameterAttributes(req.parameterNames) };
}

export function setParameterAttributes(model: DataModel, req: AcsRequestOf<'SetParameterAttributes'>): CpeResponse {
  for (const e of req.parameterList) {
    if (e.notificationChange && e.notification > 2) throw new CwmpFault(9009, `lightweight notification ${e.notification} is not supported`);
  }
  model.setParameterAttributes(req.parameterList);
  return { method: 'SetParameterAttributesResponse' };
}

/** The core model has no multi-instance objects: every object name is invalid here. */
export function addOrDeleteObject(model: DataModel, req: AcsRequestOf<'AddObject'> | AcsRequestOf<'DeleteObject'>): CpeResponse {
  if (model.schema.isObject(req.objectName)) throw new CwmpFault(9005, `${req.objectName} is not a multi-instance object`);
  throw new CwmpFault(9005, req.objectName);
}
