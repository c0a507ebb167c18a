/* A recursive-descent evaluator:
     expr   = term (("+" | "-") term)*
     term   = unary (("*" | "/" | "%") unary)*
     unary  = "-" unary | power
     power  = atom ("^" unary)?
     atom   = NUMBER | "(" expr ")"                                        */
#include <math.h>
#include <stdio.h>

#include "calc.h"

typedef struct {
	Lexer lx;
	char *err;
	int errn;
	int failed;
} Parser;

static double expr(Parser *p);

static double fail(Parser *p, const char *what)
{
	if (!p->failed) {
		snprintf(p->err, (size_t)p->errn, "column %d: %s", p->lx.tok.pos + 1, what);
		p->failed = 1;
	}
	return 0;
}

static double atom(Parser *p)
{
	Token t = p->lx.tok;
	if (t.kind == TOK_NUM) {
		lex_next(&p->lx);
		return t.num;
	}
	if (t.kind == TOK_LPAREN) {
		lex_next(&p->lx);
		double v = expr(p);
		if (p->lx.tok.kind != TOK_RPAREN) {
			return fail(p, "expected )");
		}
		lex_next(&p->lx);
		return v;
	}
	if (t.kind == TOK_ERROR) {
		return fail(p, "unexpected character");
	}
	return fail(p, "expected a number or (");
}

static double unary(Parser *p);

static double power(Parser *p)
{
	double base = atom(p);
	if (p->lx.tok.kind == TOK_OP && p->lx.tok.op == '^') {
		lex_next(&p->lx);
		return pow(base, unary(p));
	}
	return base;
}

static double unary(Parser *p)
{
	if (p->lx.tok.kind == TOK_OP && p->lx.tok.op == '-') {
		lex_next(&p->lx);
		return -unary(p);
	}
	return power(p);
}

static double term(Parser *p)
{
	double v = unary(p);
	while (!p->failed && p->lx.tok.kind == TOK_OP && (p->lx.tok.op == '*' || p->lx.tok.op == '/' || p->lx.tok.op == '%')) {
		char op = p->lx.tok.op;
		lex_next(&p->lx);
		double r = unary(p);
		if ((op == '/' || op == '%') && r == 0) {
			return fail(p, "division by zero");
		}
		v = op == '*' ? v * r : op == '/' ? v / r : fmod(v, r);
	}
	return v;
}

static double expr(Parser *p)
{
	double v = term(p);
	while (!p->failed && p->lx.tok.kind == TOK_OP && (p->lx.tok.op == '+' || p->lx.tok.op == '-')) {
		char op = p->lx.tok.op;
		lex_next(&p->lx);
		double r = term(p);
		v = op == '+' ? v + r : v - r;
	}
	return v;
}

int calc_eval(const char *src, double *out, char *err, int errn)
{
	Parser p = {.err = err, .errn = errn};
	lex_init(&p.lx, src);
	double v = expr(&p);
	if (!p.failed && p.lx.tok.kind != TOK_END) {
		fail(&p, "unexpected input after the expression");
	}
	if (p.failed) {
		return 0;
	}
	*out = v;
	return 1;
}
