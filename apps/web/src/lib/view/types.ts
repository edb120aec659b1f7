/** A code as pickers and lists show it. */
export interface PickerCode {
  id: string;
  name: string;
  abbreviation: string | null;
  color: string;
  /** Ancestors, "Parent › Child". */
  path: string;
  depth: number;
  /** The parent code (null or absent at the top level). */
  parentId?: string | null;
  count?: number;
}
