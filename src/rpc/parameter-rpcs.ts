/** The parameter RPCs: Get/SetParameterValues, GetParameterNames, Get/SetParameterAttributes. */
import type { AcsRequestOf } from '../cwmp/messages.js';
import type { DataModel } from '../datamodel/data-model.js';
import type { ResponseTo } from './rpc-context.js';
import { managementServerPaths } from '../models/device-core.js';

/** ManagementServer.ParameterKey under the model's root (Device. or InternetGatewayDevice.). */
const parameterKeyOf = (model: DataModel): string => managementServerPaths(model.schema.root).parameterKey;

export function getParameterValues(model: DataModel, req: AcsRequestOf<'GetParameterValues'>): ResponseTo<'GetParameterValues'> {
  return { method: 'GetParameterValuesResponse', parameterList: model.getParameterValues(req.parameterNames) };
}

export function setParameterValues(model: DataModel, req: AcsRequestOf<'SetParameterValues'>): ResponseTo<'SetParameterValues'> {
  const { rebootRequired } = model.setParameterValues(req.parameterList, parameterKeyOf(model), req.parameterKey);
  // Status 1: stored, but in effect only after a reboot the device's provider said it needs.
  return { method: 'SetParameterValuesResponse', status: rebootRequired ? 1 : 0 };
}

export function getParameterNames(model: DataModel, req: AcsRequestOf<'GetParameterNames'>): ResponseTo<'GetParameterNames'> {
  return { method: 'GetParameterNamesResponse', parameterList: model.getParameterNames(req.parameterPath, req.nextLevel) };
}

export function getParameterAttributes(model: DataModel, req: AcsRequestOf<'GetParameterAttributes'>): ResponseTo<'GetParameterAttributes'> {
  return { method: 'GetParameterAttributesResponse', parameterList: model.getParameterAttributes(req.parameterNames) };
}

export function setParameterAttributes(model: DataModel, req: AcsRequestOf<'SetParameterAttributes'>): ResponseTo<'SetParameterAttributes'> {
  model.setParameterAttributes(req.parameterList);
  return { method: 'SetParameterAttributesResponse' };
}

export function addObject(model: DataModel, req: AcsRequestOf<'AddObject'>): ResponseTo<'AddObject'> {
  const instanceNumber = model.addObject(req.objectName, parameterKeyOf(model), req.parameterKey);
  return { method: 'AddObjectResponse', instanceNumber, status: 0 };
}

export function deleteObject(model: DataModel, req: AcsRequestOf<'DeleteObject'>): ResponseTo<'DeleteObject'> {
  model.deleteObject(req.objectName, parameterKeyOf(model), req.parameterKey);
  return { method: 'DeleteObjectResponse', status: 0 };
}
