import assert from 'node:assert/strict';
import { decodeEntities, escapeMarkdown, plainInline, toPlainText, truncate } from '../../src/domain/plainText.js';

const ZWSP = '\u200B';
const visible = (s: string): string => s.replaceAll(ZWSP, '');

/** Markdown that Teams would turn into formatting, a link, a mention or a tag. */
function assertNoMarkup(text: string): void {
  assert.doesNotMatch(text, /\[[^\]]*\]\(/, `link syntax left in ${JSON.stringify(text)}`);
  assert.doesNotMatch(text, /\[[^\]]*\]\[/, `reference link left in ${JSON.stringify(text)}`);
  // An underscore between letters or digits is no emphasis marker (CommonMark: intraword `_` never opens or closes).
  assert.doesNotMatch(text, /[*`]|(?<![\p{L}\p{N}])_|_(?![\p{L}\p{N}])/u, `emphasis or code marker left in ${JSON.stringify(text)}`);
  assert.doesNotMatch(text, /^\s{0,3}[#>]/m, `heading or quote at line start in ${JSON.stringify(text)}`);
  assert.doesNotMatch(text, /<\/?at\b/i, `mention left in ${JSON.stringify(text)}`);
  assert.doesNotMatch(text, /<[A-Za-z/!?]/, `tag left in ${JSON.stringify(text)}`);
  assert.doesNotMatch(text, /\$\{/, `template expression left in ${JSON.stringify(text)}`);
}

describe('toPlainText', () => {
  it('leaves ordinary text alone', () => {
    assert.equal(toPlainText('Users may be unable to send mail.'), 'Users may be unable to send mail.');
    assert.equal(toPlainText(''), '');
  });

  it('turns <br>, </p> and </li> into line breaks and strips other tags', () => {
    assert.equal(toPlainText('Title:<br>Line two<br/>Line three<BR />end'), 'Title:\nLine two\nLine three\nend');
    assert.equal(toPlainText('<p>First paragraph.</p><p>Second <b>bold</b> one.</p>'), 'First paragraph.\n\nSecond bold one.');
    assert.equal(toPlainText('<ul>\n  <li>one</li>\n  <li>two</li>\n</ul>'), '• one\n• two');
    assert.equal(toPlainText('<div class="x"><span style="color:red">red</span> text</div>'), 'red text');
  });

  it('keeps attribute values with > inside from leaking, and drops scripts, styles and comments', () => {
    assert.equal(toPlainText('<a title="a>b" href="http://x">link text</a> after'), 'link text after');
    assert.equal(toPlainText('before<script>alert("x")</script><style>p{}</style><!-- hidden -->after'), 'beforeafter');
    assert.equal(toPlainText('cut <!-- never closed'), 'cut');
  });

  it('leaves comparisons that are not tags', () => {
    assert.equal(visible(toPlainText('latency < 5 ms and > 2 ms')), 'latency < 5 ms and > 2 ms');
  });

  it('decodes named and numeric entities once', () => {
    assert.equal(toPlainText('Fish &amp; chips &quot;today&quot; &#8211; &#x2014; caf&eacute; &Uuml;ber &nbsp;x'), 'Fish & chips "today" – — café Über x');
    assert.equal(visible(toPlainText('&amp;lt;b&amp;gt;')), '&lt;b&gt;');
    assert.equal(toPlainText('&unknown; &amp'), '&unknown; &amp');
    assert.equal(toPlainText('&#150;&#8217;&#128512;'), '–’😀');
    assert.equal(toPlainText('bad &#0; &#x110000; &#xD800;'), 'bad \uFFFD \uFFFD \uFFFD');
  });

  it('does not turn decoded entities into tags, mentions or markdown', () => {
    const out = toPlainText('&lt;at&gt;Admin&lt;/at&gt; &lt;b&gt;x&lt;/b&gt; &#91;click&#93;&#40;http://evil&#41; &#42;&#42;bold&#42;&#42;');
    assertNoMarkup(out);
    assert.equal(visible(out), '<at>Admin</at> <b>x</b> [click](http://evil) ∗∗bold∗∗');
  });

  it('collapses runs of blank lines and spaces, and trims', () => {
    assert.equal(toPlainText('  a  \r\n\r\n\r\n\r\n  b\t\tc \n\n\n'), 'a\n\nb c');
    assert.equal(toPlainText('<p></p><p></p><p>only</p><br><br><br>'), 'only');
  });

  it('removes control characters', () => {
    assert.equal(toPlainText('a\u0000b\u0007c\u001bd'), 'a b c d');
  });

  it('neutralises markdown links and images', () => {
    for (const input of ['[x](http://evil)', 'see [the docs](https://evil.example/a_b) now', '![img](http://evil/p.png)', '[x][1]\n[1]: http://evil']) {
      const out = toPlainText(input);
      assertNoMarkup(out);
      assert.match(visible(out), /http:\/\/evil|https:\/\/evil/);
    }
  });

  it('neutralises emphasis, code, headings and quotes', () => {
    const out = toPlainText('**bold** __strong__ *it* _it_ `code` ```fence```\n# Heading\n   ## Sub\n> quoted\n>> nested\nsnake_case_name');
    assertNoMarkup(out);
    assert.equal(out.split('\n')[1], '＃ Heading');
    assert.equal(out.split('\n')[3], '› quoted');
    // Between letters an underscore is no emphasis, so it stays a real one; at a word's edge it could be.
    assert.match(out, /snake_case_name/);
    assert.match(out, / ＿it＿ /);
    assert.equal(escapeMarkdown('America/New_York, 9qg_ErcO-1 and __init__'), 'America/New_York, 9qg_ErcO-1 and ＿＿init＿＿');
  });

  it('neutralises thematic breaks and setext underlines', () => {
    const out = toPlainText('Title\n===\n---\n- - -');
    for (const line of out.split('\n').slice(1)) assert.ok(line.startsWith(ZWSP), JSON.stringify(line));
  });

  it('keeps a mention as plain text', () => {
    const out = toPlainText('Hi <at>Partner Alerts</at>, <AT id="0">Admin</AT>');
    assertNoMarkup(out);
    assert.equal(out, 'Hi Partner Alerts, Admin');
  });

  it('makes ${ inert', () => {
    const out = toPlainText('cost ${1+1} and ${$root.title}');
    assert.doesNotMatch(out, /\$\{/);
    assert.equal(visible(out), 'cost ${1+1} and ${$root.title}');
  });

  it('handles a hostile mix in one go', () => {
    const out = toPlainText(
      '<p>Hello <at>everyone</at>!</p>\n\n\n<p>[Reset your password](http://evil.example) **now** &lt;at&gt;x&lt;/at&gt; ${x}</p><ul><li># one</li><li>&gt; two</li></ul>',
    );
    assertNoMarkup(out);
    assert.doesNotMatch(out, /\n\n\n/);
  });

  it('never throws on odd input', () => {
    assert.equal(toPlainText('<<<>>>&&&;;;'), '<<<>>>&&&;;;');
    assert.equal(typeof toPlainText('<'.repeat(10_000)), 'string');
  });
});

describe('escapeMarkdown and plainInline', () => {
  it('escapeMarkdown keeps line breaks and plain text, and leaves ${ to the caller', () => {
    assert.equal(escapeMarkdown('a\nb'), 'a\nb');
    assert.equal(escapeMarkdown('${x}'), '${x}');
    assert.equal(escapeMarkdown('Contoso Ltd.'), 'Contoso Ltd.');
  });

  it('plainInline puts a name on one line and neutralises markup', () => {
    const out = plainInline('  Contoso\n[x](http://evil)\t<at>Bob</at> *Ltd*  ');
    assert.equal(out.includes('\n'), false);
    assert.doesNotMatch(out, /\]\(|<at|\*/);
    assert.equal(visible(out), 'Contoso [x](http://evil) <at>Bob</at> ∗Ltd∗');
  });
});

describe('decodeEntities', () => {
  it('decodes only well-formed references', () => {
    assert.equal(decodeEntities('&lt;&gt;&amp;&#65;&#x42;&hellip;'), '<>&AB…');
    assert.equal(decodeEntities('AT&T & Co;'), 'AT&T & Co;');
  });
});

describe('truncate', () => {
  const text = 'The quick brown fox jumps over the lazy dog';

  it('returns text that fits unchanged', () => {
    assert.equal(truncate(text, text.length), text);
    assert.equal(truncate(text, 1000), text);
    assert.equal(truncate('', 5), '');
  });

  it('cuts at a word boundary and adds an ellipsis, never longer than the limit', () => {
    assert.equal(truncate(text, 20), 'The quick brown fox…');
    assert.equal(truncate(text, 18), 'The quick brown…');
    for (let limit = 2; limit < text.length; limit += 1) {
      const out = truncate(text, limit);
      assert.ok(out.length <= limit, `${limit}: ${out}`);
      assert.ok(out.endsWith('…'), out);
      assert.ok(text.startsWith(out.slice(0, -1)), out);
    }
  });

  it('cuts inside a word only when there is no boundary close enough', () => {
    assert.equal(truncate('a' + 'b'.repeat(30), 10), 'abbbbbbbb…');
    assert.equal(truncate('Supercalifragilisticexpialidocious', 10), 'Supercali…');
  });

  it('drops trailing punctuation before the ellipsis', () => {
    assert.equal(truncate('One, two, three, four', 10), 'One, two…');
  });

  it('does not split a surrogate pair', () => {
    const out = truncate('ab😀😀😀😀', 4);
    assert.ok(out.length <= 4);
    assert.doesNotMatch(out, /[\uD800-\uDBFF](?![\uDC00-\uDFFF])/);
  });

  it('handles tiny limits', () => {
    assert.equal(truncate(text, 1), '…');
    assert.equal(truncate(text, 0), '');
    assert.equal(truncate(text, -5), '');
  });

  it('cuts a 5 KB message to the limit', () => {
    const long = 'word '.repeat(1000);
    const out = truncate(long, 300);
    assert.ok(out.length <= 300 && out.length > 250, String(out.length));
    assert.ok(out.endsWith('word…'));
  });
});
