// The compiled form of a BinXML fragment: a small tree that is parsed once per template definition
// (per chunk) and then evaluated against each record's substitution values.

export interface TextNode {
  readonly kind: 'text';
  readonly text: string;
}

export interface SubstitutionNode {
  readonly kind: 'sub';
  readonly index: number;
  /** Optional substitution (token 0x0e): a NULL value removes the enclosing element or attribute. */
  readonly optional: boolean;
}

/** A template instance inside a fragment: its values lie at a fixed chunk position. */
export interface InstanceNode {
  readonly kind: 'instance';
  readonly template: Template;
  /** Chunk offset of the instance data (value count, descriptors, values). */
  readonly valuesAt: number;
}

export interface AttributeNode {
  readonly name: string;
  readonly parts: readonly (TextNode | SubstitutionNode)[];
}

export interface ElementNode {
  readonly kind: 'element';
  readonly name: string;
  readonly attributes: readonly AttributeNode[];
  readonly children: readonly ContentNode[];
  /** Written as `<x/>` (close-empty token) rather than `<x></x>`. */
  readonly selfClosing: boolean;
  /** The substitution among the direct children, if any: it can repeat (array) or remove (NULL) the element. */
  readonly controllingSub: SubstitutionNode | null;
}

export type ContentNode = ElementNode | TextNode | SubstitutionNode | InstanceNode;

/** A template definition, cached per chunk by its offset. */
export interface Template {
  readonly nodes: readonly ContentNode[];
}
