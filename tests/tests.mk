.PHONY: test
test:
