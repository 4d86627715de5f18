/* Entry point of freestanding guests: the kernel leaves argc at (%rsp), then argv, NULL,
   envp, NULL, auxv. rt_start gets the stack pointer and never returns. */
    .text
    .globl _start
    .type _start, @function
_start:
    xor %ebp, %ebp
    mov %rsp, %rdi
    and $-16, %rsp
    call rt_start
    hlt
    .section .note.GNU-stack,"",@progbits
