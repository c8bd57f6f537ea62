import { describe, expect, it } from 'vitest';
import { outlineHcl, type OutlineBlock } from '../../../src/convert/hcl-outline.ts';

/** Blocks as `type labels @line,col`, attributes as `name @line,col`, nested by indentation. */
function render(block: OutlineBlock, depth = 0): string[] {
  const pad = '  '.repeat(depth);
  return [
    ...block.attributes.map((a) => `${pad}${a.name} @${a.pos.line},${a.pos.column}`),
    ...block.blocks.flatMap((b) => [`${pad}${[b.type, ...b.labels].join(' ')} @${b.pos.line},${b.pos.column}`, ...render(b, depth + 1)]),
  ];
}

describe('outlineHcl', () => {
  it.each([
    [
      'nested blocks and attributes',
      'job "a" {\n  type = "batch"\n  group "g" {\n    count = 1\n  }\n}\n',
      ['job a @1,1', '  type @2,3', '  group g @3,3', '    count @4,5'],
    ],
    ['one-line blocks', 'port "db" { to = 6379 }\nport "web" {}\n', ['port db @1,1', '  to @1,13', 'port web @2,1']],
    ['multi-line lists and maps', 'a = [\n  "x",\n]\nb = {\n  k = "}"\n}\nc = 1\n', ['a @1,1', 'b @4,1', 'c @7,1']],
    ['braces and quotes inside templates', 'a = "${lookup(var.m, "}")} {"\nb = 2\n', ['a @1,1', 'b @2,1']],
    ['escaped template markers', 'a = "$${x} %%{y} \\" {"\nb = 2\n', ['a @1,1', 'b @2,1']],
    ['heredocs', 'a = <<-EOT\n  x = 1\n  }\n  EOT\nb = 2\n', ['a @1,1', 'b @5,1']],
    ['comments', '# c = 1\n// d { }\n/* e = 1\n } */\nf = 1 # g = 2\n', ['f @5,1']],
    ['operators that contain =', 'a = 1 == 2 ? 3 : 4\nb = [for x in y : x => x]\nc = 1\n', ['a @1,1', 'b @2,1', 'c @3,1']],
  ])('finds %s', (_what, source, expected) => {
    expect(render(outlineHcl(source))).toEqual(expected);
  });
});
