import type { PanelCatalog } from '../../i18n/en';
import { format } from '../../i18n/lang';
import type { ChatStore } from '../store';

/**
 * Which department the chat is for, asked before the first message. A department with
 * nobody online leads to the offline form for it.
 */
export function Departments({ store, strings, onChoose }: { store: ChatStore; strings: PanelCatalog; onChoose(): void }) {
  return (
    <div class="dep" role="group" aria-labelledby="sk-dep">
      <h3 id="sk-dep">{strings.chooseDepartment}</h3>
      <ul>
        {store.departments.value.map((choice) => (
          <li key={choice.id}>
            <button
              type="button"
              class={choice.online ? 'on' : undefined}
              onClick={() => {
                onChoose();
                store.choose(choice);
              }}
            >
              <i class="dot" />
              {choice.name}
              {!choice.online && <span class="da">{strings.departmentAway}</span>}
            </button>
          </li>
        ))}
      </ul>
    </div>
  );
}

/** The department chosen for the chat about to start, and a way back to the choice. */
export function ChosenDepartment({ store, strings }: { store: ChatStore; strings: PanelCatalog }) {
  const id = store.department.value;
  const status = store.status.value;
  const name = store.departments.value.find((choice) => choice.id === id)?.name;
  // Only until the chat starts: then it is the conversation's, not the visitor's, to change.
  if (!name || (status !== null && status !== 'closed') || store.outgoing.value.length) return null;
  return (
    <p class="dc">
      {format(strings.chosenDepartment, { department: name })}{' '}
      <button type="button" class="link" onClick={() => store.unchoose()}>
        {strings.change}
      </button>
    </p>
  );
}
