/*
 * tests/unit/shell/test_parse.c - lib/shell's parser and expansion: the
 * exact one-line error messages (problem and column), the tree built for
 * each construct, the limits, and word expansion over a fake embedder
 * (variables, quoting, field splitting, globbing against a fixed
 * directory). Behaviour against a real shell is tests/shell/test_dash.py.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "base/error.h"
#include "shell/sh.h"

static void expect_error(const char *text, int code, const char *msg, bool incomplete)
{
    struct sh_script s;
    struct sh_error err;
    int e = sh_parse(text, strlen(text), &s, &err);
    if (e == 0) {
        sh_script_free(&s);
        fail_msg("'%s' parsed", text);
    }
    assert_int_equal(e, code);
    assert_string_equal(err.msg, msg);
    assert_int_equal(err.incomplete, incomplete);
}

static void test_errors(void **state)
{
    (void)state;
    expect_error("echo 'abc", ERR_BADMSG, "syntax error: unterminated quote at column 6", true);
    expect_error("echo \"ab\" \"c", ERR_BADMSG, "syntax error: unterminated quote at column 11",
                 true);
    expect_error("if true; then echo; fi fi", ERR_BADMSG,
                 "syntax error: unexpected 'fi' at column 24", false);
    expect_error("if true\nthen echo\n", ERR_BADMSG,
                 "syntax error: unexpected end of input (expecting 'fi') at line 3, column 1",
                 true);
    expect_error("echo a | | b", ERR_BADMSG, "syntax error: unexpected '|' at column 10", false);
    expect_error("echo >", ERR_BADMSG,
                 "syntax error: unexpected end of input (expecting 'a file name') at column 7",
                 true);
    expect_error("echo $(ls)", ERR_BADMSG,
                 "syntax error: command substitution $(...) is not supported at column 6", false);
    expect_error("echo `ls`", ERR_BADMSG,
                 "syntax error: command substitution `...` is not supported at column 6", false);
    expect_error("cat <<EOF", ERR_BADMSG,
                 "syntax error: here-documents (<<) are not supported at column 5", false);
    expect_error("(echo)", ERR_BADMSG, "syntax error: subshells ( ) are not supported at column 1",
                 false);
    expect_error("echo ${a-b}", ERR_BADMSG, "syntax error: bad substitution '${a-b}' at column 6",
                 false);
    expect_error("echo 3>x", ERR_BADMSG,
                 "syntax error: descriptor 3 is not supported (only 0, 1, 2) at column 6", false);
    expect_error("echo 2>&x", ERR_BADMSG,
                 "syntax error: 'x' after >& or <& is not 0, 1 or 2 at column 9", false);
    expect_error("for 9 in a; do :; done", ERR_BADMSG,
                 "syntax error: bad for loop variable '9' at column 5", false);
}

static void test_nul_inside(void **state)
{
    (void)state;
    struct sh_script s;
    struct sh_error err;
    static const char text[] = "echo a\nb\0c";
    assert_int_equal(sh_parse(text, sizeof text - 1, &s, &err), ERR_BADMSG);
    assert_string_equal(err.msg, "syntax error: NUL byte at line 2, column 2");
}

static void test_limits(void **state)
{
    (void)state;
    char text[2048] = "";
    for (int i = 0; i < SH_MAX_DEPTH + 1; i++)
        strcat(text, "{ ");
    strcat(text, "true");
    struct sh_script s;
    struct sh_error err;
    assert_int_equal(sh_parse(text, strlen(text), &s, &err), ERR_2BIG);
    assert_non_null(strstr(err.msg, "nested more than 32 deep"));

    char *many = malloc(4 * (SH_MAX_WORDS + 2));
    strcpy(many, "echo");
    for (int i = 0; i < SH_MAX_WORDS; i++)
        strcat(many, " a");
    assert_int_equal(sh_parse(many, strlen(many), &s, &err), ERR_2BIG);
    assert_non_null(strstr(err.msg, "more than 256 words"));
    free(many);

    char *longw = malloc(SH_WORD_MAX + 16);
    memset(longw, 'w', SH_WORD_MAX + 8);
    longw[SH_WORD_MAX + 8] = '\0';
    assert_int_equal(sh_parse(longw, strlen(longw), &s, &err), ERR_2BIG);
    assert_string_equal(err.msg, "word longer than 4096 bytes at column 1");
    free(longw);
}

static struct sh_script parse_ok(const char *text)
{
    struct sh_script s;
    struct sh_error err;
    int e = sh_parse(text, strlen(text), &s, &err);
    if (e < 0) fail_msg("'%s': %s", text, err.msg);
    return s;
}

static void test_tree(void **state)
{
    (void)state;
    struct sh_script s = parse_ok("A=1 echo 'x y' 2>&1 >>f | wc && false || true &");
    const struct sh_node *n = s.root;
    assert_int_equal(n->kind, SH_N_BG);
    n = n->a;
    assert_int_equal(n->kind, SH_N_OR);
    assert_int_equal(n->a->kind, SH_N_AND);
    const struct sh_node *p = n->a->a;
    assert_int_equal(p->kind, SH_N_PIPE);
    assert_int_equal(p->ncmds, 2);
    const struct sh_node *c = p->cmds[0];
    assert_int_equal(c->nwords, 3);
    assert_int_equal(c->nassigns, 1);
    assert_string_equal(c->words[2], "'x y'");
    assert_int_equal(c->nredirs, 2);
    assert_int_equal(c->redirs[0].kind, SH_R_DUP);
    assert_int_equal(c->redirs[0].fd, 2);
    assert_int_equal(c->redirs[0].dup_from, 1);
    assert_int_equal(c->redirs[1].kind, SH_R_APPEND);
    assert_string_equal(c->redirs[1].word, "f");
    assert_string_equal(c->text, "A=1 echo 'x y' 2>&1 >>f");
    assert_string_equal(p->text, "A=1 echo 'x y' 2>&1 >>f | wc");
    sh_script_free(&s);

    s = parse_ok("# comment\nfor i in a b\ndo\n  if x; then y; elif z; then w; fi\ndone\n");
    n = s.root;
    assert_int_equal(n->kind, SH_N_FOR);
    assert_string_equal(n->name, "i");
    assert_int_equal(n->nwords, 2);
    assert_int_equal(n->b->kind, SH_N_IF);
    assert_int_equal(n->b->c->kind, SH_N_IF);
    assert_null(n->b->c->c);
    sh_script_free(&s);

    s = parse_ok("echo if then fi; while ! false; do :; done > out");
    assert_int_equal(s.root->kind, SH_N_SEQ);
    assert_int_equal(s.root->a->nwords, 4);
    assert_int_equal(s.root->b->kind, SH_N_WHILE);
    assert_int_equal(s.root->b->nredirs, 1);
    assert_true(s.root->b->a->negate);
    sh_script_free(&s);

    s = parse_ok("time ! a | b");
    assert_int_equal(s.root->kind, SH_N_PIPE);
    assert_true(s.root->timed);
    assert_true(s.root->negate);
    assert_int_equal(s.root->ncmds, 2);
    sh_script_free(&s);

    s = parse_ok("  # only a comment\n\n");
    assert_null(s.root);
    sh_script_free(&s);
}

/* ---- expansion over a fake embedder ---------------------------------------------- */

static int fake_list(void *c, const char *dir, sh_dirent_fn fn, void *cb)
{
    (void)c;
    static const char *const top[] = {"b.txt", "a.txt", ".dot.txt", "d", "c.log"};
    static const char *const sub[] = {"x.txt", "y"};
    bool in_d = strcmp(dir, "d") == 0;
    int n = in_d ? 2 : 5;
    for (int i = 0; i < n; i++)
        fn(cb, in_d ? sub[i] : top[i], !in_d && i == 3);
    return 0;
}

static int fake_stat(void *c, const char *path, struct sh_stat *st)
{
    (void)c;
    *st = (struct sh_stat){false, 1};
    return strcmp(path, "d/x.txt") == 0 ? 0 : ERR_NOENT;
}

static const struct sh_ops fake_ops = {.list_dir = fake_list, .stat = fake_stat};

static void expect_fields(struct sh *sh, const char *word, const char *joined)
{
    struct sh_fields f = {0};
    assert_int_equal(sh_expand_word(sh, word, true, &f), 0);
    char buf[512] = "";
    for (int i = 0; i < f.n; i++) {
        strcat(buf, "[");
        strcat(buf, f.v[i]);
        strcat(buf, "]");
    }
    assert_string_equal(buf, joined);
    sh_fields_free(&f);
}

static void test_expand(void **state)
{
    (void)state;
    static struct sh sh;
    sh_init(&sh, &fake_ops, NULL, "t");
    sh_var_set(&sh, "X", "one  two", false);
    sh_var_set(&sh, "HOME", "/h", true);
    sh_var_set(&sh, "P", "*.txt", false);
    sh.status = 42;
    expect_fields(&sh, "$X", "[one][two]");
    expect_fields(&sh, "\"$X\"", "[one  two]");
    expect_fields(&sh, "a${X}b", "[aone][twob]");
    expect_fields(&sh, "$NONE", "");
    expect_fields(&sh, "\"$NONE\"", "[]");
    expect_fields(&sh, "''", "[]");
    expect_fields(&sh, "$?x", "[42x]");
    expect_fields(&sh, "'$X'\\$X", "[$X$X]");
    expect_fields(&sh, "~/f", "[/h/f]");
    expect_fields(&sh, "*.txt", "[a.txt][b.txt]");
    expect_fields(&sh, "?.log", "[c.log]");
    expect_fields(&sh, "$P", "[a.txt][b.txt]");
    expect_fields(&sh, "\"$P\"", "[*.txt]");
    expect_fields(&sh, "'*'.txt", "[*.txt]");
    expect_fields(&sh, ".*", "[.dot.txt]");
    expect_fields(&sh, "*/x.txt", "[d/x.txt]");
    expect_fields(&sh, "*/y.txt", "[*/y.txt]");
    expect_fields(&sh, "*.none", "[*.none]");
    assert_true(sh_glob_match("a\\*b", "a*b"));
    assert_false(sh_glob_match("a\\*b", "axb"));
    assert_true(sh_glob_match("*a*b*", "xxaxxbxx"));
    assert_false(sh_glob_match("?", ""));
    sh_free(&sh);
}

/* A command of exactly SH_MAX_WORDS words still gets its argv's NULL end. */
static void test_fields_limit(void **state)
{
    (void)state;
    struct sh_fields f = {0};
    for (int i = 0; i < SH_MAX_WORDS; i++) {
        char *w = malloc(2);
        assert_non_null(w);
        strcpy(w, "w");
        assert_int_equal(sh_fields_push(&f, w), 0);
    }
    char *extra = malloc(2);
    assert_non_null(extra);
    strcpy(extra, "x");
    assert_int_equal(sh_fields_push(&f, extra), ERR_2BIG); /* frees extra */
    assert_int_equal(sh_fields_push(&f, NULL), 0);
    assert_int_equal(f.n, SH_MAX_WORDS + 1);
    assert_null(f.v[SH_MAX_WORDS]);
    f.n--;
    sh_fields_free(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_errors), cmocka_unit_test(test_nul_inside),
        cmocka_unit_test(test_limits), cmocka_unit_test(test_tree),
        cmocka_unit_test(test_expand), cmocka_unit_test(test_fields_limit),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
