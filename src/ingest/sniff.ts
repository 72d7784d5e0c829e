/** What a file really is, from its first bytes: a .docx that is a PDF, a .txt that is a zip, an .html that is a PNG. */
const MAGIC: [string, number[]][] = [
  ['a zip archive (.docx, .xlsx, .pptx or .zip)', [0x50, 0x4b, 0x03, 0x04]],
  ['an empty zip archive', [0x50, 0x4b, 0x05, 0x06]],
  ['a PDF document', [0x25, 0x50, 0x44, 0x46]],
  ['an old Word/Excel file (.doc/.xls): save it as .docx', [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]],
  ['a PNG image', [0x89, 0x50, 0x4e, 0x47]],
  ['a JPEG image', [0xff, 0xd8, 0xff]],
  ['a GIF image', [0x47, 0x49, 0x46, 0x38]],
  ['a gzip archive', [0x1f, 0x8b]],
  ['a RAR archive', [0x52, 0x61, 0x72, 0x21]],
  ['a 7-Zip archive', [0x37, 0x7a, 0xbc, 0xaf]],
  ['a program (ELF)', [0x7f, 0x45, 0x4c, 0x46]],
  ['a Windows program', [0x4d, 0x5a]],
  ['an RTF document: save it as .docx or .txt', [0x7b, 0x5c, 0x72, 0x74, 0x66]],
];

export function sniff(bytes: Uint8Array): string | null {
  for (const [what, sig] of MAGIC) if (sig.length <= bytes.length && sig.every((b, i) => bytes[i] === b)) return what;
  return null;
}

export const isZip = (bytes: Uint8Array) =>
  bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b && (bytes[2] === 0x03 || bytes[2] === 0x05);
