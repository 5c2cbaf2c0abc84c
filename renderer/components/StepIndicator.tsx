import './step-indicator.css';

interface StepIndicatorProps {
  /** What the steps are part of, for the landmark's name ("New User Enrollment"). */
  label: string;
  steps: readonly string[];
  /** The 0-based index of the step the user is on. */
  current: number;
}

/**
 * Where the user is in a fixed sequence of pages (the job aid's bar across the top of the New
 * User Enrollment pages: "Login ... Enrollment Confirmed"). The steps are not links: a step done
 * cannot be redone from here.
 */
export function StepIndicator({ label, steps, current }: StepIndicatorProps) {
  return (
    <nav aria-label={`${label} steps`} className="soc-steps">
      <ol className="soc-steps__list">
        {steps.map((step, index) => {
          const state = index < current ? 'done' : index === current ? 'current' : 'todo';
          return (
            <li
              key={step}
              className={`soc-steps__step soc-steps__step--${state}`}
              aria-current={state === 'current' ? 'step' : undefined}
              data-testid={state === 'current' ? 'current-step' : undefined}
            >
              <span className="soc-steps__marker" aria-hidden="true">
                {state === 'done' ? '\u2713' : index + 1}
              </span>
              <span className="soc-steps__label">
                <span className="ds-u-visibility--screen-reader">{`Step ${index + 1} of ${steps.length}: `}</span>
                {step}
                {state !== 'todo' && <span className="ds-u-visibility--screen-reader">{state === 'done' ? ' (completed)' : ' (current step)'}</span>}
              </span>
            </li>
          );
        })}
      </ol>
    </nav>
  );
}
