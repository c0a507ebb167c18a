#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "calc.h"

void lex_init(Lexer *lx, const char *src)
{
	lx->src = src;
	lx->pos = 0;
	lex_next(lx);
}

void lex_next(Lexer *lx)
{
	const char *s = lx->src;
	while (isspace((unsigned char)s[lx->pos])) {
		lx->pos++;
	}
	Token *t = &lx->tok;
	t->pos = lx->pos;
	char c = s[lx->pos];
	if (c == '\0') {
		t->kind = TOK_END;
	} else if (isdigit((unsigned char)c) || c == '.') {
		char *end;
		t->num = strtod(s + lx->pos, &end);
		t->kind = TOK_NUM;
		lx->pos = (int)(end - s);
	} else if (strchr("+-*/%^", c) != NULL) {
		t->kind = TOK_OP;
		t->op = c;
		lx->pos++;
	} else if (c == '(' || c == ')') {
		t->kind = c == '(' ? TOK_LPAREN : TOK_RPAREN;
		lx->pos++;
	} else {
		t->kind = TOK_ERROR;
		t->op = c;
	}
}
