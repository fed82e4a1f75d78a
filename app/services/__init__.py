"""The app's services: plain asyncio + httpx code with typed records and no Qt import (a test
proves it), so every flow runs and is tested headless."""
