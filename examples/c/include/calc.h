/* The expression language of `mt calc`: numbers, + - * / % ^, parentheses. */
#ifndef MT_CALC_H
#define MT_CALC_H

typedef enum { TOK_NUM, TOK_OP, TOK_LPAREN, TOK_RPAREN, TOK_END, TOK_ERROR } TokKind;

typedef struct {
	TokKind kind;
	double num;
	char op;
	int pos;
} Token;

typedef struct {
	const char *src;
	int pos;
	Token tok; /* the current token */
} Lexer;

void lex_init(Lexer *lx, const char *src);
void lex_next(Lexer *lx);

/* calc_eval evaluates src into *out; on error it returns 0 and writes a
   message into err (of size errn). */
int calc_eval(const char *src, double *out, char *err, int errn);

#endif
