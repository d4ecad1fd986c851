/* The 8259A pair: Linux's initialisation (init_8259A), its per-IRQ flow
 * (IMR read, mask, specific EOI, unmask), the cascade, and the rules of
 * priority, masking, EOI and the read select. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include "vmm/devices/pic.h"

enum { MASTER, SLAVE };
static struct pic p;

/* init_8259A on x86-64: both chips masked, ICW1 0x11, vectors 0x30 and
 * 0x38, the slave on IR2, 8086 mode; then every IRQ masked but the
 * cascade. */
static int linux_init(void **state)
{
	(void)state;
	pic_init(&p);
	pic_write(&p, MASTER, 1, 0xff);
	pic_write(&p, SLAVE, 1, 0xff);
	pic_write(&p, MASTER, 0, 0x11);
	pic_write(&p, MASTER, 1, 0x30);
	pic_write(&p, MASTER, 1, 0x04);
	pic_write(&p, MASTER, 1, 0x01);
	pic_write(&p, SLAVE, 0, 0x11);
	pic_write(&p, SLAVE, 1, 0x38);
	pic_write(&p, SLAVE, 1, 0x02);
	pic_write(&p, SLAVE, 1, 0x01);
	pic_write(&p, MASTER, 1, 0xfb);
	pic_write(&p, SLAVE, 1, 0xff);
	return 0;
}

static void unmask(unsigned irq)
{
	unsigned chip = irq >> 3;
	pic_write(&p, chip, 1, pic_read(&p, chip, 1) & ~(1u << (irq & 7)));
}

static void test_icw_sequence_sets_vectors_and_imr_reads_back(void **state)
{
	(void)state;
	assert_int_equal(pic_read(&p, MASTER, 1), 0xfb);
	assert_int_equal(pic_read(&p, SLAVE, 1), 0xff);
	assert_int_equal(p.chip[MASTER].base, 0x30);
	assert_int_equal(p.chip[SLAVE].base, 0x38);
	assert_int_equal(p.chip[MASTER].init_step, 0);
	assert_int_equal(pic_pending_vector(&p), -1);
}

static void test_masked_irq_waits_in_irr(void **state)
{
	(void)state;
	pic_raise(&p, 0);
	pic_lower(&p, 0);
	assert_int_equal(pic_pending_vector(&p), -1);
	assert_int_equal(pic_read(&p, MASTER, 0) & 1, 1);   /* IRR */
	unmask(0);
	assert_int_equal(pic_pending_vector(&p), 0x30);
}

/* Linux's mask_and_ack_8259A for IRQ0: read IMR, mask IRQ0, specific
 * EOI 0x60; the handler runs; unmask. Until the EOI, IRQ0 is in service
 * and a new edge waits in IRR. */
static void test_timer_irq_flow_with_specific_eoi(void **state)
{
	(void)state;
	unmask(0);
	pic_raise(&p, 0);
	pic_lower(&p, 0);
	assert_int_equal(pic_ack(&p), 0x30);
	pic_write(&p, MASTER, 0, 0x0b);                     /* OCW3: read ISR */
	assert_int_equal(pic_read(&p, MASTER, 0), 0x01);
	pic_write(&p, MASTER, 0, 0x0a);                     /* back to IRR */
	assert_int_equal(pic_read(&p, MASTER, 0), 0x00);
	pic_raise(&p, 0);
	pic_lower(&p, 0);
	assert_int_equal(pic_pending_vector(&p), -1);       /* IRQ0 in service */
	pic_write(&p, MASTER, 1, pic_read(&p, MASTER, 1) | 1);
	pic_write(&p, MASTER, 0, 0x60);                     /* specific EOI, IR0 */
	assert_int_equal(p.chip[MASTER].isr, 0);
	assert_int_equal(pic_pending_vector(&p), -1);       /* masked */
	unmask(0);
	assert_int_equal(pic_pending_vector(&p), 0x30);
}

static void test_higher_priority_preempts_and_nonspecific_eoi_ends_it(void **state)
{
	(void)state;
	unmask(0);
	unmask(4);
	pic_raise(&p, 4);
	assert_int_equal(pic_ack(&p), 0x34);
	pic_raise(&p, 0);
	assert_int_equal(pic_pending_vector(&p), 0x30);     /* IR0 outranks IR4 */
	assert_int_equal(pic_ack(&p), 0x30);
	pic_write(&p, MASTER, 0, 0x20);                     /* ends IR0, the highest */
	assert_int_equal(p.chip[MASTER].isr, 0x10);
	pic_write(&p, MASTER, 0, 0x20);
	assert_int_equal(p.chip[MASTER].isr, 0);
}

static void test_slave_irq_comes_through_the_cascade(void **state)
{
	(void)state;
	pic_raise(&p, 12);
	assert_int_equal(pic_pending_vector(&p), -1);       /* masked on the slave */
	unmask(12);
	assert_int_equal(pic_read(&p, MASTER, 0) & 0x04, 0x04);
	assert_int_equal(pic_pending_vector(&p), 0x3c);
	assert_int_equal(pic_ack(&p), 0x3c);
	assert_int_equal(p.chip[MASTER].isr, 0x04);
	assert_int_equal(p.chip[SLAVE].isr, 0x10);
	pic_write(&p, SLAVE, 0, 0x64);
	pic_write(&p, MASTER, 0, 0x62);
	assert_int_equal(p.chip[MASTER].isr | p.chip[SLAVE].isr, 0);
}

static void test_ack_without_request_is_spurious_ir7(void **state)
{
	(void)state;
	assert_int_equal(pic_ack(&p), 0x37);
	assert_int_equal(p.chip[MASTER].isr, 0);
}

static void test_level_triggered_request_follows_the_line(void **state)
{
	(void)state;
	pic_write(&p, MASTER, 0, 0x19);                     /* ICW1 with LTIM */
	pic_write(&p, MASTER, 1, 0x30);
	pic_write(&p, MASTER, 1, 0x04);
	pic_write(&p, MASTER, 1, 0x01);
	pic_raise(&p, 4);
	assert_int_equal(pic_pending_vector(&p), 0x34);
	pic_lower(&p, 4);
	assert_int_equal(pic_pending_vector(&p), -1);
}

static void test_auto_eoi_leaves_nothing_in_service(void **state)
{
	(void)state;
	pic_write(&p, MASTER, 0, 0x11);
	pic_write(&p, MASTER, 1, 0x20);
	pic_write(&p, MASTER, 1, 0x04);
	pic_write(&p, MASTER, 1, 0x03);                     /* AEOI */
	pic_raise(&p, 1);
	assert_int_equal(pic_ack(&p), 0x21);
	assert_int_equal(p.chip[MASTER].isr, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_icw_sequence_sets_vectors_and_imr_reads_back, linux_init),
		cmocka_unit_test_setup(test_masked_irq_waits_in_irr, linux_init),
		cmocka_unit_test_setup(test_timer_irq_flow_with_specific_eoi, linux_init),
		cmocka_unit_test_setup(test_higher_priority_preempts_and_nonspecific_eoi_ends_it, linux_init),
		cmocka_unit_test_setup(test_slave_irq_comes_through_the_cascade, linux_init),
		cmocka_unit_test_setup(test_ack_without_request_is_spurious_ir7, linux_init),
		cmocka_unit_test_setup(test_level_triggered_request_follows_the_line, linux_init),
		cmocka_unit_test_setup(test_auto_eoi_leaves_nothing_in_service, linux_init),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
