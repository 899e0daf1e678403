package dev.cgaudit.demo;

/** Makes the decisions of each {@link DemoStep} happen: on the kernel, or from the recorded trace. */
interface StepDriver {

    /** Called before the step's policy commands (if any) are published. */
    void begin(DemoStep step) throws Exception;

    /** Called after them: the step's migrations. */
    void perform(DemoStep step) throws Exception;
}
