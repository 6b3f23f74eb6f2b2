"""Commands that write plans: init, scaffolding, approvals, signers, imports, exports."""
