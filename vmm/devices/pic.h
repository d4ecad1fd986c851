/* The PC's two 8259A interrupt controllers, the slave cascaded on the
 * master's IR2, as a VM sees them. Pure C.
 *
 * Modelled: the ICW1-ICW4 sequence, IMR reads and writes (OCW1),
 * non-specific and specific EOI (OCW2; the rotate forms act as their
 * plain EOI, priorities stay fixed, IR0 highest), IRR/ISR read select
 * (OCW3), edge and level triggering (ICW1.LTIM), auto-EOI (ICW4.AEOI)
 * and the spurious IR7/IR15. Not modelled: poll mode, special mask
 * mode, priority rotation, special fully nested mode, buffered mode. */
#ifndef VMM_DEVICES_PIC_H
#define VMM_DEVICES_PIC_H
#include <stdbool.h>
#include <stdint.h>

struct pic_chip {
	uint8_t irr, isr, imr;
	uint8_t lines;          /* the IR inputs' levels */
	uint8_t base;           /* ICW2: the vector of IR0 */
	uint8_t icw3;
	uint8_t init_step;      /* 0: ready; 2, 3, 4: the ICW expected next */
	bool icw4_needed, single, level, auto_eoi;
	bool read_isr;          /* OCW3: port 0 reads ISR, not IRR */
};

struct pic {
	struct pic_chip chip[2];   /* [0] master 0x20/0x21, [1] slave 0xa0/0xa1 */
};

void pic_init(struct pic *p);
/* chip: 0 master, 1 slave; port: 0 (even: 0x20/0xa0) or 1 (odd: 0x21/0xa1). */
uint8_t pic_read(struct pic *p, unsigned chip, unsigned port);
void pic_write(struct pic *p, unsigned chip, unsigned port, uint8_t v);

/* An IRQ line 0-15 goes high or low. On an edge-triggered chip a rising
 * edge sets the request; on a level-triggered one the request follows
 * the line. */
void pic_raise(struct pic *p, unsigned irq);
void pic_lower(struct pic *p, unsigned irq);
void pic_set_level(struct pic *p, unsigned irq, bool high);

/* The vector the pair would deliver now (0-255), or -1 when the INT
 * output is low: the highest-priority unmasked request above every
 * interrupt in service (fully nested mode). */
int pic_pending_vector(const struct pic *p);
/* The INTA cycle: the request moves from IRR to ISR (or is ended at once
 * under auto-EOI) and its vector is returned; with no request, the
 * spurious vector of IR7 (of IR15 when the slave's request vanished). */
uint8_t pic_ack(struct pic *p);

#endif
