/**
 * DeviceInfo.SupportedDataModel.{i}: its one entry, for the document supportedModelDocument makes
 * of the device's schema. URL names the document on this device's connection-request port with
 * the host "localhost", which TR-181 lets the ACS replace with the ConnectionRequestURL's host.
 */
import type { Provider } from '../datamodel/provider.js';
import type { Schema } from '../datamodel/schema.js';
import { dtPath, supportedModelDocument } from '../models/dt-export.js';

export class SupportedDataModelProvider implements Provider {
  readonly objects: readonly string[];
  private read: (path: string) => string = () => '';
  constructor(
    private readonly schema: Schema,
    /** ManagementServer.ConnectionRequestURL under the schema's root. */
    private readonly connectionRequestUrl: string,
  ) {
    this.objects = objectsByRoot(schema.root);
  }

  attach(read: (path: string) => string): void {
    this.read = read;
  }

  instances(tablePath: string): number[] | undefined {
    return tablePath === this.objects[0] ? [1] : undefined;
  }

  get(path: string): string | undefined {
    if (!path.startsWith(`${this.objects[0]}1.`)) return undefined;
    const doc = supportedModelDocument(this.schema);
    switch (path.slice(this.objects[0]!.length + 2)) {
      case 'URL': {
        let port = '';
        try {
          port = new URL(this.read(this.connectionRequestUrl)).port;
        } catch {
          // No connection-request URL yet: the default port.
        }
        return `http://localhost${port ? `:${port}` : ''}${dtPath(doc.uuid)}`;
      }
      case 'UUID':
        return doc.uuid;
      case 'URN':
        return doc.urn;
      case 'Features':
        return '';
      default:
        return undefined;
    }
  }
}

const objectLists = new Map<string, readonly string[]>();
function objectsByRoot(root: string): readonly string[] {
  let list = objectLists.get(root);
  if (!list) objectLists.set(root, (list = [`${root}DeviceInfo.SupportedDataModel.`]));
  return list;
}
