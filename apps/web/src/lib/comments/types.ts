/** How a thread shows the coding it is about. */
export interface CodingChip {
  name: string;
  color: string;
  coderName: string;
}

/** A person as the comments views show them. */
export interface Person {
  name: string;
  color: string;
}
