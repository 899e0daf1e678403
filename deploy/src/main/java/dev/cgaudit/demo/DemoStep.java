package dev.cgaudit.demo;

/**
 * The scripted workload, in order. Each step says what happens; the two policy steps switch rules
 * with signed commands (in both modes: live and trace); the others are real migrations on this
 * machine's kernel, or their recording played back.
 */
enum DemoStep {
    SETUP("four 'sleep' processes of uid nobody; root puts them in apps/web, jail and tick/a"),
    ALLOWED_MOVES("root moves one process between apps/web and apps/api, 6 times (allowed; churn)"),
    UNAUTHORIZED_MOVES("uid nobody moves a process into apps/api and back: delegated to it, so the kernel allows, the policy does not"),
    DENIAL_BURST("uid nobody tries 6 times to move a process into locked/ (root's): EACCES each time"),
    ESCAPE("root moves a process out of jail/ into outside/, then back"),
    ENFORCE("switch demo-apps-managers and demo-jail to enforce (signed set-mode commands)"),
    ENFORCED_MOVES("uid nobody tries apps/api again (the node denies now); root moves a process out of jail/ (dac cannot stop that)"),
    BACK_TO_AUDIT("switch both rules back to audit"),
    AFTER("uid nobody moves into apps/api again: allowed again, the enforcer restored the files");

    private final String narration;

    DemoStep(String narration) {
        this.narration = narration;
    }

    String narration() {
        return narration;
    }

    /** The mode this step switches the two switchable rules to, if it is a policy step. */
    String switchesTo() {
        return this == ENFORCE ? "enforce" : this == BACK_TO_AUDIT ? "audit" : null;
    }
}
